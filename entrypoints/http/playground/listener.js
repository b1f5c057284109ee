// Live lip sync from audio (docs/streaming.md, /v1/lipsync/listen): the microphone, or a file
// played in the page, is sent as 16-bit PCM chunks as it is heard; the server's viseme cues
// (absolute times, each superseding the cues at or after its start) drive the mouth.

const CHUNK_FRAMES = 1024; // ~21 ms at 48 kHz

export class Listener {
  constructor(onEvent = () => {}) {
    this.onEvent = onEvent;
    this.context = null;
    this.socket = null;
    this.nodes = [];
    this.reset();
  }

  reset() {
    this.cues = [];
    this.words = [];
    this.start = null; // context time of the stream's second 0
    this.sent = 0; // samples sent
    this.heard = 0;
    this.active = false;
    this.stats = { chunks: 0, visemes: 0, corrected: 0, errors: [] };
  }

  /** Listen to the microphone. */
  async fromMicrophone() {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const context = await this.open();
    await this.run(context.createMediaStreamSource(stream), () => stream.getTracks().forEach((t) => t.stop()));
  }

  /** Play a recording (a File or Blob) and lip-sync it as it plays. */
  async fromFile(file) {
    const context = await this.open();
    const buffer = await context.decodeAudioData(await file.arrayBuffer());
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    source.onended = () => this.stop();
    await this.run(source, () => {});
    source.start();
  }

  async open() {
    this.stop();
    if (!this.context) this.context = new AudioContext();
    if (this.context.state !== 'running') await this.context.resume();
    return this.context;
  }

  async run(source, release) {
    this.reset();
    const context = this.context;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/v1/lipsync/listen`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error('the listen stream could not connect'));
    });
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.send(JSON.stringify({ type: 'start', sample_rate: context.sampleRate, viseme_set: 'oculus' }));
    // A ScriptProcessor hands over the audio in small blocks on the main thread: simple, and
    // fast enough for a 20 ms cadence.
    const tap = context.createScriptProcessor(CHUNK_FRAMES, 1, 1);
    const mute = context.createGain();
    mute.gain.value = 0;
    tap.onaudioprocess = (event) => this.send(event.inputBuffer.getChannelData(0), event.playbackTime);
    source.connect(tap);
    tap.connect(mute);
    mute.connect(context.destination);
    this.nodes = [tap, mute, source];
    this.release = release;
    this.active = true;
  }

  send(block, playbackTime) {
    if (!this.active || this.socket?.readyState !== WebSocket.OPEN) return;
    if (this.start === null) this.start = playbackTime - block.length / this.context.sampleRate;
    const pcm = new Int16Array(block.length);
    for (let i = 0; i < block.length; i += 1) pcm[i] = Math.max(-1, Math.min(1, block[i])) * 32767;
    this.socket.send(pcm.buffer);
    this.sent += block.length;
    this.stats.chunks += 1;
  }

  receive(message) {
    if (message.type === 'viseme') {
      // A cue replaces every cue that starts at or after it.
      this.cues = this.cues.filter((c) => c.start < message.start);
      this.cues.push(message);
      this.heard = message.heard;
      this.stats.visemes += 1;
      if (message.corrected) this.stats.corrected += 1;
    } else if (message.type === 'word') {
      this.words.push(message);
    } else if (message.type === 'error') {
      this.stats.errors.push(message);
    }
    this.onEvent(message);
  }

  stop() {
    if (!this.active) return;
    this.active = false;
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'end' }));
    for (const node of this.nodes) node.disconnect();
    this.nodes = [];
    this.release?.();
  }

  /** Seconds of the stream on the audio clock, or null before it starts. */
  time() {
    return this.start === null ? null : this.context.currentTime - this.start;
  }

  /** The shape in force at `t`: the last cue starting at or before it ('sil' before any). */
  visemeAt(t) {
    let found = 'sil';
    for (const cue of this.cues) {
      if (cue.start > t) break;
      found = cue.viseme;
    }
    return found;
  }
}
