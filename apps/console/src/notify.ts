/** Getting an operator's attention: a short chime, a desktop notification, the tab title. */
let audio: AudioContext | null = null;

export function chime(): void {
  try {
    audio ??= new AudioContext();
    const t = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, t + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.12 + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + i * 0.12);
      osc.stop(t + i * 0.12 + 0.3);
    }
  } catch {
    /* no audio: the title and the list still show it */
  }
}

export function desktopNotify(title: string, body: string, onClick: () => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const n = new Notification(title, { body: body.slice(0, 140), tag: title });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}

export function setTitleBadge(unread: number): void {
  document.title = unread > 0 ? `(${unread}) Beckon` : 'Beckon';
}
