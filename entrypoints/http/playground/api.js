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

// Every voice and the one that speaks by default: { voices, default_voice }.
export const voiceCatalogue = () => call('GET', '/v1/voices');
export const avatars = () => call('GET', '/v1/avatars?limit=100').then((d) => d.avatars);
export const createAvatar = (name, state) => call('POST', '/v1/avatars', { name, state });
export const saveState = (avatarId, state) => call('PUT', `/v1/avatars/${encodeURIComponent(avatarId)}/state`, state);
export const renderSequence = (avatarId, text, voice) =>
  call('POST', '/v1/render/sequence', { avatar_id: avatarId, text, voice, format: 'mp4', width: 384, height: 384, fps: 25 });
export const characters = () => call('GET', '/playground/characters.json');
