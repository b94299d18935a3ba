import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { MeView } from '@beckon/protocol';
import { api } from './api';
import { connect, set, state, useConsole } from './store';
import { Login } from './views/login';
import { Shell } from './views/shell';
import './styles.css';

function App() {
  const s = useConsole();
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    document.documentElement.lang = s.lang;
  }, [s.lang]);
  useEffect(() => {
    api<MeView>('GET', '/api/auth/me')
      .then((me) => connect(me))
      .catch(() => set({ me: null }))
      .finally(() => setChecked(true));
  }, []);
  if (!checked) return null;
  return s.me ? <Shell /> : <Login onSignedIn={(me) => connect(me)} />;
}

render(<App />, document.getElementById('app')!);
// handy in the browser console while debugging
(window as unknown as { beckonState: () => unknown }).beckonState = () => state;
