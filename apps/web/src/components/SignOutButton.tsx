import { useSignOut } from '@bff/shared/react';

export function SignOutButton() {
  const signOut = useSignOut();
  return (
    <>
      <button type="button" className="button" onClick={() => signOut.mutate()} disabled={signOut.isPending || signOut.isSuccess}>
        Sign out
      </button>
      {signOut.isError && <span className="error-text">Signing out failed. Try again.</span>}
    </>
  );
}
