import { describeError } from '../api/describeError';
import { useMe } from '../profile/useMe';

/** Who I am, as the demo API sees me (through the BFF's token). */
export function ProfileCard() {
  const me = useMe();
  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      {me.data !== undefined ? (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{me.data.name ?? 'Not shared'}</dd>
          <dt>Email</dt>
          <dd>{me.data.email ?? 'Not shared'}</dd>
          <dt>Subject</dt>
          <dd>
            <code>{me.data.sub}</code>
          </dd>
        </dl>
      ) : me.isError ? (
        <p className="error-text">
          {describeError(me.error, 'loading your profile')}{' '}
          <button type="button" className="button link" onClick={() => void me.refetch()}>
            Try again
          </button>
        </p>
      ) : (
        <p className="muted">Loading profile...</p>
      )}
    </section>
  );
}
