// School office: a form that takes a while (the face check of a reference photo) says so while
// it runs. Plain ES2020; the forms work the same without it.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.busyLabel) return;
  const actions = form.querySelector('.actions');
  if (!actions || actions.querySelector('.office-busy')) return;
  const busy = document.createElement('span');
  busy.className = 'office-busy';
  busy.setAttribute('role', 'status');
  const spinner = document.createElement('span');
  spinner.className = 'spinner';
  spinner.setAttribute('aria-hidden', 'true');
  busy.append(spinner, document.createTextNode(form.dataset.busyLabel));
  actions.append(busy);
});
