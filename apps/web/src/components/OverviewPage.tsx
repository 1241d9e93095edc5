import { NotesPanel } from './NotesPanel';
import { ProfileCard } from './ProfileCard';

export function OverviewPage() {
  return (
    <>
      <h1 className="page-title">Overview</h1>
      <div className="grid">
        <ProfileCard />
        <NotesPanel />
      </div>
    </>
  );
}
