import { Link } from '../router/Link';

export function NotFound({ pathname }: { pathname: string }) {
  return (
    <section className="card">
      <h1>Not found</h1>
      <p>
        There is no page at <code>{pathname}</code>.
      </p>
      <Link to="/">Go to the overview</Link>
    </section>
  );
}
