import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { createBffQueryClient } from '@bff/shared/react';
import { App } from './App';

// One QueryClient for the app: a 401 code from any query opens the re-login
// prompt once, and the other tabs follow sign-out and session loss.
const queryClient = createBffQueryClient({ authPath: '/auth', apiPath: '/api' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
