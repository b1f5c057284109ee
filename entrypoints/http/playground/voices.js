// The voice picker's order: neural engines first, then each engine's voices by language and
// name, one <optgroup> per engine and language.

export const NEURAL_ENGINES = new Set(['piper']);

/** `voices` ({voice_id, name, language, engine}) as [{label, voices}], neural groups first. */
export function groupVoices(voices) {
  const groups = new Map();
  for (const voice of voices) {
    const key = `${voice.engine}\u0000${voice.language}`;
    if (!groups.has(key)) groups.set(key, { engine: voice.engine, language: voice.language, voices: [] });
    groups.get(key).voices.push(voice);
  }
  const rank = (g) => (NEURAL_ENGINES.has(g.engine) ? 0 : 1);
  return [...groups.values()]
    .sort((a, b) => rank(a) - rank(b) || a.engine.localeCompare(b.engine) || a.language.localeCompare(b.language))
    .map((g) => ({
      label: `${NEURAL_ENGINES.has(g.engine) ? 'neural · ' : ''}${g.engine} · ${g.language}`,
      neural: NEURAL_ENGINES.has(g.engine),
      voices: g.voices.sort((a, b) => a.name.localeCompare(b.name) || a.voice_id.localeCompare(b.voice_id)),
    }));
}

/** The voice to select at first: a neural en-us one, else any neural one, else `fallback`. */
export function preferredVoice(groups, fallback = 'en-us') {
  const neural = groups.filter((g) => g.neural).flatMap((g) => g.voices);
  const english = neural.find((v) => v.language.toLowerCase().startsWith('en'));
  return (english ?? neural[0])?.voice_id ?? fallback;
}
