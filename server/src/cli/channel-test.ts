// `channel test`: send a test notification through a channel from the CLI, as the console's
// "Send a test" does: through the notifier under the deployment's outbound policy, recorded.
import type { Command } from 'commander';
import { pino } from 'pino';
import { sendChannelTest } from '../care/channel-test.ts';
import type { CliContext, CliExtension } from '../cli.ts';
import { SystemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { DEFAULT_RETRY, Notifier, senderFor } from '../notify/notifier.ts';
import { group } from './group.ts';
import { resolveChannel, resolveOrg } from './resolve.ts';

/** Register `channel test`. */
export const channelTestCli: CliExtension = (program: Command, ctx: CliContext) => {
  group(program, 'channel', 'outbound channels: webhook, e-mail, SMS')
    .command('test')
    .description('send a test notification through a channel now; the attempt joins its delivery history (HEARTH_OUTBOUND_ALLOW applies)')
    .requiredOption('--org <org>', 'organisation id or name')
    .argument('<channel>', 'channel id or name')
    .action(async (ref: string, o: { org: string }) => {
      const { opened } = await ctx.open();
      const org = await resolveOrg(opened.db, o.org);
      const channel = await resolveChannel(opened.db, org.id, ref);
      const clock = new SystemClock();
      const notifier = new Notifier(opened.db, clock, pino({ level: 'silent' }), DEFAULT_RETRY, senderFor({ allow: loadConfig().outboundAllow }));
      const d = await sendChannelTest(opened.db, notifier, () => clock.now(), org.id, channel.id, 'cli');
      ctx.out(`test to ${channel.name}: ${d.status}${d.response ? ` (${d.response})` : ''}${d.error ? `: ${d.error}` : ''}`, d);
    });
};
