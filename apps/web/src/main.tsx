import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { sessionQueryOptions } from '@bff/shared/react';
import { App } from './App';
import { startReconnectLoop } from './connection/reconnecting';
import { queryClient } from './queryClient';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html must contain <div id="root">');

startReconnectLoop(queryClient);
// ask who is signed in while React starts, not after its first render
void queryClient.prefetchQuery(sessionQueryOptions);

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
