// Video check progress: polls the API and updates the bar and the time left; when the check is
// over, reloads the page to show the result. Without this script the page refreshes itself.
(() => {
  'use strict';
  const box = document.getElementById('video-progress');
  if (!box) return;
  const url = box.dataset.statusUrl;
  const words = { queued: 'Waiting to start', running: 'Being checked' };
  const left = (v) => {
    if (v.state === 'queued') return 'Waiting for other videos to finish.';
    if (v.secondsLeft === null) return 'Working out how long this takes…';
    return v.secondsLeft < 60 ? 'Less than a minute left.' : `About ${Math.ceil(v.secondsLeft / 60)} minutes left.`;
  };
  async function poll() {
    try {
      const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (res.ok) {
        const v = await res.json();
        if (v.state !== 'queued' && v.state !== 'running') { location.reload(); return; }
        document.getElementById('video-state').textContent = words[v.state];
        document.getElementById('video-percent').textContent = `${v.percent}%`;
        document.getElementById('video-bar').value = v.percent;
        document.getElementById('video-left').textContent = left(v);
      }
    } catch { /* offline for a moment: try again */ }
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 1000);
})();
