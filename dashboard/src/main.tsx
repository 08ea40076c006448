import { render } from 'preact';
import { App } from './app.tsx';
import './ui/tokens.css';
import './style.css';

render(<App />, document.getElementById('app')!);
