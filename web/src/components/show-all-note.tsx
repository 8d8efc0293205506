/**
 * Under a table cut to its largest rows: what the cut leaves out and "Show all", or, with every row
 * shown, how many there are and the way back.
 */
export function ShowAllNote({
  className,
  showingAll,
  cutText,
  allText,
  backLabel,
  onToggle,
}: {
  /** Names the note for the page's own styles and tests. */
  className: string;
  showingAll: boolean;
  cutText: string;
  allText: string;
  backLabel: string;
  onToggle: () => void;
}) {
  return (
    <p className={`small muted show-all-note ${className}`}>
      {showingAll ? allText : cutText}{' '}
      <button type="button" className="link-button" onClick={onToggle}>
        {showingAll ? backLabel : 'Show all'}
      </button>
    </p>
  );
}
