// Speech over the lip-sync WebSocket (docs/streaming.md). Each PCM chunk is scheduled on the
// AudioContext clock at its offset from the utterance start, and viseme cues are looked up
// against that same clock, so the mouth cannot drift from the voice however long the text.

const LEAD_SECONDS = 0.08; // head start for the first chunk, so it never starts late

export class Speaker {
  constructor(onEvent = () => {}) {
    this.onEvent = onEvent;
    this.context = null;
    this.analyser = null;
    this.socket = null;
    this.reset();
  }

  reset() {
    this.utteranceId = null;
    this.start = null; // context time of the utterance's second 0
    this.header = null;
    this.cues = [];
    this.words = [];
    this.marks = [];
    this.sources = [];
    this.duration = null;
    this.stats = { buffersScheduled: 0, samples: 0, lateSeconds: 0, ended: false, cancelled: false, errors: [] };
  }

  async audio() {
    if (!this.context) {
      this.context = new AudioContext();
      this.analyser = this.context.createAnalyser();
      this.analyser.fftSize = 1024;
      this.analyser.connect(this.context.destination);
    }
    if (this.context.state !== 'running') await this.context.resume();
    return this.context;
  }

  connect() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) {
      return this.socket.readyState === WebSocket.OPEN ? Promise.resolve() : this.opening;
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.socket = new WebSocket(`${scheme}://${location.host}/v1/lipsync/stream`);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onmessage = (event) => this.receive(event.data);
    this.opening = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = () => reject(new Error('the lip-sync stream could not connect'));
    });
    return this.opening;
  }

  /** Speak `request` ({text, voice, viseme_set, ssml, avatar_id}); stops what is playing. */
  async speak(request) {
    this.stop();
    await this.audio();
    await this.connect();
    this.reset();
    this.utteranceId = `pg-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
    this.socket.send(JSON.stringify({ type: 'speak', utterance_id: this.utteranceId, ...request }));
  }

  stop() {
    if (this.utteranceId && !this.stats.ended && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: 'cancel', utterance_id: this.utteranceId }));
    }
    for (const source of this.sources) {
      try { source.stop(); } catch { /* already stopped */ }
    }
    this.sources = [];
    this.start = null;
  }

  receive(data) {
    if (typeof data !== 'string') {
      this.schedule(this.header, data);
      return;
    }
    const message = JSON.parse(data);
    if (message.utterance_id && message.utterance_id !== this.utteranceId) return; // an old one
    switch (message.type) {
      case 'audio': this.header = message; break;
      case 'viseme': this.cues.push(message); break;
      case 'word': this.words.push(message); break;
      case 'mark': this.marks.push(message); break;
      case 'end': this.stats.ended = true; this.duration = message.duration; break;
      case 'cancelled': this.stats.cancelled = true; break;
      case 'error': this.stats.errors.push(message); break;
      default: break;
    }
    this.onEvent(message);
  }

  schedule(header, data) {
    const context = this.context;
    const pcm = new Int16Array(data);
    if (!header || pcm.length !== header.samples) {
      this.stats.errors.push({ detail: 'audio frame does not match its header' });
      return;
    }
    const buffer = context.createBuffer(1, pcm.length, header.sample_rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i += 1) channel[i] = pcm[i] / 32768;
    if (this.start === null) this.start = context.currentTime + LEAD_SECONDS;
    let at = this.start + header.offset;
    const earliest = context.currentTime + 0.005;
    if (at < earliest) {
      // A late chunk: the whole clock moves, so voice and mouth stay together.
      this.stats.lateSeconds += earliest - at;
      this.start += earliest - at;
      at = earliest;
    }
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.analyser);
    source.start(at);
    this.sources.push(source);
    this.stats.buffersScheduled += 1;
    this.stats.samples += pcm.length;
    this.header = null;
  }

  /** Seconds into the utterance on the audio clock, or null before the first chunk. */
  time() {
    return this.start === null ? null : this.context.currentTime - this.start;
  }

  /** The viseme of the cue covering `t` ('sil' outside every cue). */
  visemeAt(t) {
    const cues = this.cues;
    let lo = 0;
    let hi = cues.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t < cues[mid].start) hi = mid - 1;
      else if (t >= cues[mid].end) lo = mid + 1;
      else return cues[mid].viseme;
    }
    return 'sil';
  }

  /** The word being spoken at `t`, or null. */
  wordAt(t) {
    return this.words.find((w) => t >= w.start && t < w.end) ?? null;
  }

  /** RMS level of what is playing now (0..1). */
  level() {
    if (!this.analyser) return 0;
    const data = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    return Math.sqrt(sum / data.length);
  }
}
