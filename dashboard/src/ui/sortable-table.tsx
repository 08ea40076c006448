import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** One column of a SortableTable: its heading, how to show a row, and the value it sorts by. */
export interface SortableColumn<T> {
  key: string;
  label: string;
  render: (row: T) => ComponentChildren;
  /** The value the column sorts by (numbers and strings; null sorts last). Omit for a column that does not sort. */
  sortValue?: (row: T) => string | number | null;
}

/**
 * A table whose column headings sort it (click again to reverse). Headings are
 * buttons inside `th` with `aria-sort`, so screen readers announce the order.
 * Generic: rows, columns and the initial order are the caller's.
 */
export function SortableTable<T>({
  rows,
  columns,
  rowKey,
  initialSort,
  caption,
  class: cls,
  rowAttrs,
}: {
  rows: readonly T[];
  columns: readonly SortableColumn<T>[];
  rowKey: (row: T) => string;
  initialSort?: { key: string; descending?: boolean };
  caption?: string;
  class?: string;
  /** Extra attributes of each row (data-*, class). */
  rowAttrs?: (row: T) => Record<string, string>;
}) {
  const [sort, setSort] = useState(initialSort ?? null);
  const col = sort ? columns.find((c) => c.key === sort.key) : undefined;
  const sorted = [...rows];
  if (col?.sortValue) {
    const v = col.sortValue;
    sorted.sort((a, b) => {
      const x = v(a);
      const y = v(b);
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort!.descending ? -c : c;
    });
  }
  return (
    <table class={`plain ${cls ?? ''}`}>
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => {
            const active = sort?.key === c.key;
            const ariaSort = active ? (sort!.descending ? 'descending' : 'ascending') : 'none';
            return (
              <th scope="col" key={c.key} aria-sort={c.sortValue ? ariaSort : undefined}>
                {c.sortValue ? (
                  <button type="button" class="sort-button" onClick={() => setSort({ key: c.key, descending: active ? !sort!.descending : false })}>
                    {c.label}
                    <span aria-hidden="true">{active ? (sort!.descending ? ' ▼' : ' ▲') : ' ↕'}</span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={rowKey(r)} {...(rowAttrs?.(r) ?? {})}>
            {columns.map((c) => (
              <td key={c.key}>{c.render(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
