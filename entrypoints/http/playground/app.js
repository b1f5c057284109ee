// The playground page: pick a voice and an avatar, edit the avatar, speak over the WebSocket
// with the avatar drawn live by the renderer's own avatar.js, or render a video.

import { avatarSvg } from '/playground/renderer/avatar.js';
import {
  ACCESSORIES, BROW_STYLES, CLOTHING_STYLES, DEFAULT_STATE, EXPRESSIONS, HAIR_STYLES,
} from '/playground/renderer/schema.js';
import * as api from '/playground/api.js';
import { Listener } from '/playground/listener.js';
import { Speaker } from '/playground/speaker.js';
import { groupVoices, preferredVoice } from '/playground/voices.js';

const $ = (selector) => document.querySelector(selector);
const STATE_FIELDS = [
  'skin_tone', 'hair_style', 'hair_color', 'eye_color', 'brow_style', 'clothing_style',
  'clothing_color', 'accessories', 'background', 'background_to', 'expression',
];
const MAX_SAMPLES = 20000;

let state = pick({ ...DEFAULT_STATE });
let avatarList = [];
let characterList = {}; // the built-in characters: id -> {name, state}; stored on first render
let speaking = false; // from Speak until the last chunk has played (or Stop)
let lastDrawn = '';
let nextBlink = performance.now() + 2500;

// What the page shows, for people and for the browser test: mouth samples on the audio clock.
const hook = {
  ready: false, samples: [], draws: 0, maxLevel: 0, speaker: null, listener: null, heard: [],
};
window.playground = hook;

const speaker = new Speaker(onStreamEvent);
hook.speaker = speaker;
const listener = new Listener(onListenEvent);
hook.listener = listener;

function pick(source) {
  return Object.fromEntries(STATE_FIELDS.map((key) => [key, source[key] ?? DEFAULT_STATE[key]]));
}

function status(text) {
  $('#status').textContent = text;
}

function fillSelect(select, values, labels = values) {
  select.replaceChildren(...values.map((value, i) => new Option(labels[i], value)));
}

function syncEditor() {
  for (const input of document.querySelectorAll('[data-field]')) {
    input.value = state[input.dataset.field] ?? '#ffffff';
  }
  for (const box of document.querySelectorAll('#accessories input')) {
    box.checked = state.accessories.includes(box.value);
  }
}

function draw(viseme, blink) {
  const key = `${viseme}|${blink}|${JSON.stringify(state)}`;
  if (key === lastDrawn) return;
  lastDrawn = key;
  const stage = $('#avatar');
  stage.innerHTML = avatarSvg(state, { viseme, blink }, { width: 360, height: 360, id: 'live' });
  stage.dataset.viseme = viseme;
  hook.draws += 1;
}

function frame(now) {
  const t = speaker.time();
  if (speaking && speaker.stats.ended && t !== null && t > speaker.duration) speaking = false;
  if (speaking && (speaker.stats.cancelled || speaker.stats.errors.length)) speaking = false;
  $('#stop').disabled = !speaking;
  let viseme = 'sil';
  const heard = listener.active ? listener.time() : null;
  if (heard !== null) {
    viseme = listener.visemeAt(heard);
    if (hook.heard.length < MAX_SAMPLES) hook.heard.push({ t: heard, viseme });
  } else if (t !== null && t >= 0) {
    viseme = speaker.visemeAt(t);
    const level = speaker.level();
    hook.maxLevel = Math.max(hook.maxLevel, level);
    if (hook.samples.length < MAX_SAMPLES && (speaker.duration === null || t <= speaker.duration)) {
      hook.samples.push({ t, viseme });
    }
    const word = speaker.wordAt(t);
    highlight(word);
  }
  if (now > nextBlink + 140) nextBlink = now + 2500 + Math.random() * 2500;
  const blink = now >= nextBlink ? 1 : 0;
  draw(viseme, blink);
  requestAnimationFrame(frame);
}

function highlight(word) {
  const caption = $('#caption');
  const text = caption.dataset.text ?? '';
  const key = word ? `${word.start_char}:${word.end_char}` : '';
  if (caption.dataset.word === key) return;
  caption.dataset.word = key;
  if (!word) {
    caption.textContent = text;
    return;
  }
  const mark = document.createElement('mark');
  mark.textContent = text.slice(word.start_char, word.end_char);
  caption.replaceChildren(text.slice(0, word.start_char), mark, text.slice(word.end_char));
}

function onStreamEvent(message) {
  if (message.type === 'start') status(`Speaking (${message.sentences} sentences)…`);
  if (message.type === 'end') status(`Speaking: all ${message.duration.toFixed(2)} s of speech received.`);
  if (message.type === 'cancelled') status('Stopped.');
  if (message.type === 'error') status(`Error ${message.status}: ${message.detail}`);
  if (message.type === 'mark') status(`Mark “${message.name}” at ${message.time.toFixed(2)} s`);
}

function onListenEvent(message) {
  if (message.type === 'ready') status('Listening: the mouth follows what it hears.');
  if (message.type === 'error') status(`Error ${message.status}: ${message.detail}`);
}

async function listen(start) {
  speaker.stop();
  hook.heard = [];
  $('#listen-stop').disabled = false;
  try {
    await start();
  } catch (error) {
    status(`Could not listen: ${error.message}`);
    $('#listen-stop').disabled = true;
  }
}

async function speak() {
  listener.stop();
  const text = $('#text').value;
  const caption = $('#caption');
  caption.dataset.text = text;
  caption.dataset.word = '';
  caption.textContent = text;
  hook.samples = [];
  hook.maxLevel = 0;
  speaking = true;
  $('#stop').disabled = false;
  status('Connecting…');
  const id = $('#avatar-id').value;
  try {
    await speaker.speak({
      text,
      voice: $('#voice').value || undefined,
      viseme_set: 'oculus',
      ssml: $('#ssml').checked,
      avatar_id: avatarList.some((a) => a.avatar_id === id) ? id : undefined, // stored ones
    });
  } catch (error) {
    speaking = false;
    status(error.message);
  }
}

/** Mouth cues as a file: of the audio file chosen under "From file" if there is one, else of
 * the text as the chosen voice speaks it. */
async function downloadCues() {
  const button = $('#cues');
  button.disabled = true;
  const format = $('#cue-format').value;
  const [file] = $('#listen-file').files;
  try {
    status(file ? `Recognising ${file.name}…` : 'Timing the text…');
    const { blob, name } = file
      ? await api.recordingCues(file, format)
      : await api.textCues($('#text').value, $('#voice').value || undefined, $('#ssml').checked, format);
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    status(`Cues saved as ${name}.`);
  } catch (error) {
    status(`No cues: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

/** The avatar to render: the selected one (a built-in character is stored by the service on
 * first render), or, for the unsaved one, a new avatar saved only when the user agrees. */
async function avatarToRender() {
  const id = $('#avatar-id').value;
  if (id) return id;
  const name = `Avatar ${avatarList.length + 1}`;
  if (!window.confirm(`A video needs a saved avatar. Save this one as “${name}” and render it?`)) {
    return null;
  }
  const created = await api.createAvatar(name, state);
  await loadAvatars(created.avatar_id);
  return created.avatar_id;
}

async function renderVideo() {
  const button = $('#render');
  button.disabled = true;
  try {
    const avatarId = await avatarToRender();
    if (avatarId === null) {
      status('Not rendered: save the avatar first (Save as new), or pick a stored one.');
      return;
    }
    status('Rendering video…');
    const result = await api.renderSequence(avatarId, $('#text').value, $('#voice').value || undefined);
    const video = $('#video');
    video.src = result.video_url;
    video.hidden = false;
    status(`Video: ${result.frames} frames, ${result.duration.toFixed(2)} s.`);
    await video.play().catch(() => {});
  } catch (error) {
    status(`Render failed: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

async function loadAvatars(selected = '') {
  avatarList = await api.avatars();
  const stored = new Set(avatarList.map((a) => a.avatar_id));
  const builtIn = Object.entries(characterList).filter(([id]) => !stored.has(id));
  const select = $('#avatar-id');
  select.replaceChildren(
    new Option('(new, unsaved)', ''),
    ...avatarList.map((a) => new Option(a.name || a.avatar_id, a.avatar_id)),
    ...builtIn.map(([id, c]) => new Option(`${c.name ?? id} (built-in)`, id)),
  );
  select.value = selected;
}

function chooseAvatar() {
  const id = $('#avatar-id').value;
  const found = avatarList.find((a) => a.avatar_id === id) ?? characterList[id];
  state = pick(found ? found.state : DEFAULT_STATE);
  syncEditor();
}

async function save(asNew) {
  try {
    if (asNew || !$('#avatar-id').value) {
      const name = `Avatar ${avatarList.length + 1}`;
      const created = await api.createAvatar(name, state);
      await loadAvatars(created.avatar_id);
      status(`Saved as ${created.avatar_id}.`);
    } else {
      const id = $('#avatar-id').value;
      await api.saveState(id, state);
      await loadAvatars(id);
      status(`Saved ${id}.`);
    }
  } catch (error) {
    status(`Save failed: ${error.message}`);
  }
}

function buildEditor() {
  const enums = { hair_style: HAIR_STYLES, brow_style: BROW_STYLES, clothing_style: CLOTHING_STYLES, expression: EXPRESSIONS };
  for (const [field, values] of Object.entries(enums)) fillSelect($(`select[data-field="${field}"]`), values);
  $('#accessories').replaceChildren(...ACCESSORIES.map((name) => {
    const label = document.createElement('label');
    label.className = 'check';
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: name });
    box.addEventListener('change', () => {
      const chosen = new Set(state.accessories);
      if (box.checked) chosen.add(name); else chosen.delete(name);
      state = { ...state, accessories: ACCESSORIES.filter((a) => chosen.has(a)) };
    });
    label.append(box, name);
    return label;
  }));
  for (const input of document.querySelectorAll('[data-field]')) {
    input.addEventListener('input', () => { state = { ...state, [input.dataset.field]: input.value }; });
  }
  syncEditor();
}

async function main() {
  buildEditor();
  $('#speak').addEventListener('click', speak);
  $('#stop').addEventListener('click', () => { speaker.stop(); speaking = false; $('#stop').disabled = true; status('Stopped.'); });
  $('#render').addEventListener('click', renderVideo);
  $('#cues').addEventListener('click', downloadCues);
  $('#listen-mic').addEventListener('click', () => listen(() => listener.fromMicrophone()));
  $('#listen-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) listen(() => listener.fromFile(file));
  });
  $('#listen-stop').addEventListener('click', () => {
    listener.stop();
    $('#listen-stop').disabled = true;
    status('Stopped listening.');
  });
  $('#avatar-id').addEventListener('change', chooseAvatar);
  $('#save').addEventListener('click', () => save(false));
  $('#create').addEventListener('click', () => save(true));
  requestAnimationFrame(frame);
  try {
    const { voices, default_voice: named } = await api.voiceCatalogue();
    const groups = groupVoices(voices);
    const label = (v) => `${v.name} (${v.voice_id}${v.gender ? `, ${v.gender}` : ''})`;
    $('#voice').replaceChildren(...groups.map((group) => {
      const optgroup = document.createElement('optgroup');
      optgroup.label = group.label;
      optgroup.append(...group.voices.map((v) => new Option(label(v), v.voice_id)));
      return optgroup;
    }));
    $('#voice').value = named ?? preferredVoice(groups);
    if (!$('#voice').value && groups.length) $('#voice').value = groups[0].voices[0].voice_id;
    characterList = await api.characters();
    await loadAvatars();
    status('Ready.');
  } catch (error) {
    status(`Could not load voices or avatars: ${error.message}`);
  }
  hook.ready = true;
}

main();
