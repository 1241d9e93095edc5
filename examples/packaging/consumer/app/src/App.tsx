import { useQuery } from '@tanstack/react-query';
import { bffFetch, formatRemaining, signIn } from '@bff/shared/client';
import { useAuthPrompt, useBffPaths, useRefreshSession, useSession, useSessionExpiry, useSignOut } from '@bff/shared/react';

export function App() {
  const paths = useBffPaths();
  const session = useSession().data?.info;
  const prompt = useAuthPrompt();
  const expiry = useSessionExpiry();
  const refresh = useRefreshSession();
  const signOut = useSignOut();
  const profile = useQuery({
    queryKey: ['profile'],
    // through the BFF's proxy: the BFF adds the access token, refreshing it when due
    queryFn: ({ signal }) => bffFetch<{ email?: string }>(`${paths.api}/me`, { signal }),
    enabled: session?.authenticated === true,
  });

  if (session === undefined) return <p>Loading...</p>;
  if (prompt.kind === 'relogin') return <button onClick={() => signIn({ paths })}>Sign in again</button>;
  if (!session.authenticated) return <button onClick={() => signIn({ paths })}>Sign in</button>;
  return (
    <header>
      <span className="user-name">{session.user.name}</span> <span>{profile.data?.email}</span>
      <span>Session ends in {formatRemaining(expiry?.remainingMs ?? 0)}</span>
      <button onClick={() => refresh.mutate()}>Stay signed in</button>
      {refresh.isSuccess && <span>Renewed</span>}
      <button onClick={() => signOut.mutate()}>Sign out</button>
    </header>
  );
}
