/* The trainer console: review what agents taught, edit the knowledge base, try questions, manage models. */
import { initLogout, loadMe } from '/shared/static/chrome.js';
import * as Articles from './articles.js';
import * as Candidates from './candidates.js';
import * as Editor from './editor/editor.js';
import { API } from './labels.js';
import * as Models from './models.js';
import { activeView, startRouter } from './router.js';
import * as Try from './try.js';
import * as Unanswered from './unanswered.js';

function enter(view, arg) {
  if (view === 'candidates') Candidates.load();
  else if (view === 'unanswered') Unanswered.load();
  else if (view === 'articles') Articles.load();
  else if (view === 'editor') {
    if (arg) Editor.open(arg);
    else Editor.openNew();
  } else if (view === 'try') Try.enter();
  else if (view === 'models') Models.load();
}

initLogout();
loadMe(API + '/me');
startRouter(enter);
// The sidebar shows how much waits for review even before those tabs are opened.
if (activeView() !== 'candidates') Candidates.load();
if (activeView() !== 'unanswered') Unanswered.load();
