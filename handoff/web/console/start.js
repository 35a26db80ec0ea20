/* Starts a console page; a page that breaks says so instead of staying blank. */
import { toast } from '/shared/static/toast.js';

export function startPage(init) {
  try {
    init();
  } catch (err) {
    toast('The console failed to start: ' + (err && err.message ? err.message : String(err)));
    throw err;
  }
}
