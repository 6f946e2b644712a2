/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate a typo most likely meant: within two edits, or the only one it abbreviates; undefined if unsure. */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  const ranked = candidates
    .map((candidate) => ({ candidate, distance: editDistance(typed, candidate) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance);
  if (ranked[0] !== undefined && ranked[0].distance < (ranked[1]?.distance ?? Number.POSITIVE_INFINITY)) {
    return ranked[0].candidate;
  }
  const abbreviated = candidates.filter((candidate) => candidate.startsWith(typed));
  return abbreviated.length === 1 ? abbreviated[0] : undefined;
}
