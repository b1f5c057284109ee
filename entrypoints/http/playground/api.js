// The REST calls the playground makes. Every failure becomes an Error whose message is the
// problem's detail (the API answers application/problem+json).

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(data?.detail ?? `${method} ${path}: ${response.status}`);
  return data;
}

// A file the API answers with: { blob, name }, named as its Content-Disposition names it, else
// `fallback`. A failure is an Error whose message is the problem's detail.
async function download(path, init, fallback) {
  const response = await fetch(path, init);
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new Error(problem?.detail ?? `${init.method} ${path}: ${response.status}`);
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
  return { blob: await response.blob(), name: named ? named[1] : fallback };
}

// Every voice and the one that speaks by default: { voices, default_voice }.
export const voiceCatalogue = () => call('GET', '/v1/voices');
export const avatars = () => call('GET', '/v1/avatars?limit=100').then((d) => d.avatars);
export const createAvatar = (name, state) => call('POST', '/v1/avatars', { name, state });
export const saveState = (avatarId, state) => call('PUT', `/v1/avatars/${encodeURIComponent(avatarId)}/state`, state);
export const renderSequence = (avatarId, text, voice) =>
  call('POST', '/v1/render/sequence', { avatar_id: avatarId, text, voice, format: 'mp4', width: 384, height: 384, fps: 25 });
export const characters = () => call('GET', '/playground/characters.json');

// Mouth cues as a file of Rhubarb Lip Sync (tsv, json, xml or dat): of a text as a voice speaks
// it, or of a recording (a File), named after it.
export const textCues = (text, voice, ssml, format) => download(
  '/v1/lipsync/cues',
  { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, voice, ssml, format }) },
  `lipsync.${format}`,
);
export function recordingCues(file, format) {
  const form = new FormData();
  form.append('audio', file);
  form.append('cues', format);
  const stem = file.name.replace(/\.[^.]*$/, '') || 'lipsync';
  return download('/v1/lipsync/audio', { method: 'POST', body: form }, `${stem}.${format}`);
}
