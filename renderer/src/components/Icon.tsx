/** Simple line icons for the sidebar (inline SVG, no icon font to load). */
export function Icon({ name }: { name: 'creator' | 'operator' | 'wallet' | 'network' | 'sun' | 'moon' | 'auto' }) {
  const paths: Record<typeof name, string> = {
    creator: 'M4 5h16v11H4zM8 20h8M12 16v4M8 9l3 3 5-5',
    operator: 'M5 6h14v9H5zM3 18h18M9 10h.01M12 10h.01M15 10h.01',
    wallet: 'M3 7h18v12H3zM3 7l3-3h12l3 3M16 13h2',
    network: 'M12 5a2 2 0 1 0 0 .01M5 18a2 2 0 1 0 0 .01M19 18a2 2 0 1 0 0 .01M12 7v4M12 11l-6 6M12 11l6 6',
    sun: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v2M12 20v2M2 12h2M20 12h2',
    moon: 'M20 14A8 8 0 0 1 10 4a8 8 0 1 0 10 10z',
    auto: 'M12 3a9 9 0 1 0 0 18zM12 3a9 9 0 0 1 0 18',
  };
  return (
    <svg className="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={paths[name]} />
    </svg>
  );
}
