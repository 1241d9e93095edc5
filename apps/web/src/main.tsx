import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { watchSessionEnd, type SessionSnapshot } from '@bff/shared/client';
import { bffClientParts, sessionQueryKey, sessionQueryOptions } from '@bff/shared/react';
import { App } from './App';
import { startReconnectLoop } from './connection/reconnecting';
import { queryClient } from './queryClient';
import { followFocus } from './session/focusReturn';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html must contain <div id="root">');

startReconnectLoop(queryClient);
followFocus();
// when the countdown reaches the end (also in a tab shown again, after sleep), ask /auth/session: it decides
watchSessionEnd({
  read: () => queryClient.getQueryData<SessionSnapshot>(sessionQueryKey),
  confirm: () => void queryClient.invalidateQueries({ queryKey: sessionQueryKey }),
});
// ask who is signed in while React starts, not after its first render
void queryClient.prefetchQuery(sessionQueryOptions(bffClientParts(queryClient).paths));

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
