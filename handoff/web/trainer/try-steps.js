/* "Try a question": the path the message took (intent, policy, knowledge base), and the negative lessons. */
import { api } from '/shared/static/api.js';
import { h } from '/shared/static/dom.js';
import { isNum, str } from '/shared/static/format.js';
import { reportError, toast } from '/shared/static/toast.js';
import { fmtScore } from './format.js';
import { API } from './labels.js';

const STEP_LABELS = { nlu: 'Intent', policy: 'Next action', knowledge_base: 'Knowledge base' };

function stepText(step) {
  if (step.step === 'policy') return str(step.decision) + (step.policy ? ' (' + str(step.policy) + ')' : '');
  if (step.step === 'knowledge_base') {
    const own = str(step.decision) + (step.article ? ': ' + str(step.article) : '');
    return step.consulted ? own : 'not consulted (it would say ' + own + ')';
  }
  return str(step.decision);
}

export function buildSteps(data) {
  const steps = Array.isArray(data.steps) ? data.steps : [];
  if (!steps.length) return null;
  const list = h('ol', { class: 'try-steps', 'aria-label': 'What the bot did, step by step' });
  steps.forEach(function (step) {
    list.appendChild(
      h('li', { class: 'try-step try-step-' + str(step.step), 'data-step': str(step.step) }, [
        h('span', { class: 'try-step-label', text: STEP_LABELS[step.step] || str(step.step) }),
        h('span', { class: 'try-step-decision', text: stepText(step) }),
        isNum(step.score) ? h('span', { class: 'try-step-score', text: fmtScore(step.score) }) : null,
      ])
    );
  });
  const warning = data.routed_away
    ? h('p', { class: 'try-routed-away', role: 'note' }, [
        'The intent model reads this as ',
        h('strong', { text: str(data.intent) }),
        ', so the knowledge base is never asked. Teach the question as an example of ask_faq and retrain to fix the routing.',
      ])
    : null;
  return h('section', { class: 'try-path panel' }, [h('h2', { class: 'section-title', text: 'What happened' }), list, warning]);
}

async function teachNegative(question, slug, rerun) {
  try {
    await api('POST', API + '/negative-lessons', { question: question, article_slug: slug });
    toast(slug ? 'The bot will no longer answer this with ' + slug + '.' : 'The bot will no longer answer this with any article.', 'success');
    rerun();
  } catch (err) {
    reportError(err);
  }
}

/** "This answer was wrong" (when the bot answered) and "nothing we have answers this", live at once. */
export function buildNegativeActions(question, data, rerun) {
  const lesson = data.closest_negative_lesson;
  const near = lesson && isNum(lesson.similarity) && lesson.similarity >= 0.7
    ? h('p', { class: 'try-lesson-note' }, [
        'Closest negative lesson: ',
        h('q', { text: str(lesson.question) }),
        ' (' + (lesson.article_slug ? 'not ' + str(lesson.article_slug) : 'nothing answers it') + ', similarity ' + fmtScore(lesson.similarity) + ')',
      ])
    : null;
  const buttons = [];
  if (data.answered) {
    buttons.push(
      h('button', { type: 'button', class: 'btn', id: 'try-wrong', onclick: function () { teachNegative(question, data.answered, rerun); } }, 'Wrong answer for this question')
    );
  }
  if (data.verdict !== 'none') {
    buttons.push(
      h('button', { type: 'button', class: 'btn', id: 'try-nothing', onclick: function () { teachNegative(question, null, rerun); } }, 'Nothing we have answers this')
    );
  }
  if (!buttons.length && !near) return null;
  return h('div', { class: 'try-negative' }, [near, buttons.length ? h('div', { class: 'try-negative-actions' }, buttons) : null]);
}
