/* The sign-in page: a plain form post, with a check for empty fields and no double submit. */

function init() {
  const form = document.getElementById('login-form');
  const user = document.getElementById('username');
  const pass = document.getElementById('password');
  const submit = document.getElementById('login-submit');
  const error = document.getElementById('login-error');
  if (!form) return;
  if (error && error.textContent.trim() === '') error.textContent = '';
  if (error && error.textContent) (user && !user.value ? user : pass).focus();
  form.addEventListener('submit', function (event) {
    if (!user.value.trim() || !pass.value) {
      event.preventDefault();
      if (error) error.textContent = 'Enter your username and password.';
      (user.value.trim() ? pass : user).focus();
      return;
    }
    // Let the normal form post happen; just prevent a double submit.
    window.setTimeout(function () {
      submit.disabled = true;
      submit.textContent = 'Signing in\u2026';
    }, 0);
  });
  window.addEventListener('pageshow', function () {
    submit.disabled = false;
    submit.textContent = 'Sign in';
  });
}

init();
