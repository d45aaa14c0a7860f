import { button, Child, empty, errorBox, h, percent, replace, when } from './dom';
import { IContext } from './section';
import { IQuestion, IRoute } from './types';

/** Where the router sent a question: lessons to read, the mentor, or "not sure". */
export function routeView(
  context: IContext,
  route: IRoute | null,
  unrouted?: string
): HTMLElement {
  const node = h('div', { class: 'jp-MentorKit-route' });
  if (!route) {
    node.appendChild(
      h('div', { class: 'jp-MentorKit-muted' }, `Not routed: ${unrouted || 'no router'}`)
    );
    return node;
  }
  if (!route.sure) {
    node.appendChild(
      h('div', { class: 'jp-MentorKit-routeUnsure' }, `Not sure: ${route.reason}`)
    );
  } else if (route.skills.length) {
    const top = route.skills[0];
    node.appendChild(
      h(
        'div',
        { class: 'jp-MentorKit-routeSkill' },
        `About: ${top.title} (${percent(top.probability)})`
      )
    );
  }
  if (route.lessons.length) {
    const list = h('ul', { class: 'jp-MentorKit-routeLessons' });
    for (const lesson of route.lessons) {
      list.appendChild(h('li', {}, lessonLink(context, lesson.title, lesson.notebook)));
    }
    node.appendChild(h('div', { class: 'jp-MentorKit-label' }, 'Read:'));
    node.appendChild(list);
  }
  const mentors = route.mentors.map(mentor => mentor.name).join(', ');
  node.appendChild(
    h(
      'div',
      { class: 'jp-MentorKit-routeMentor' },
      mentors ? `Sent to: ${mentors}` : 'No mentor named: the course staff will see it'
    )
  );
  if (route.urgent) {
    node.appendChild(h('span', { class: 'jp-MentorKit-badge jp-mod-urgent' }, 'urgent'));
  }
  return node;
}

/** A lesson's title; a link that opens its notebook when the server can see it. */
export function lessonLink(
  context: IContext,
  title: string,
  notebook: string | null
): HTMLElement {
  if (!notebook) {
    return h('span', { class: 'jp-MentorKit-lesson' }, title);
  }
  const link = h(
    'a',
    {
      class: 'jp-MentorKit-lesson jp-MentorKit-link',
      title: `Open ${notebook}`,
      attrs: { href: '#', role: 'button' },
      data: { notebook }
    },
    title
  );
  link.addEventListener('click', event => {
    event.preventDefault();
    context.open(notebook);
  });
  return link;
}

export interface IThreadOptions {
  /** The label of the reply button ("Answer" for mentors, "Follow up" for learners). */
  replyLabel: string;
  /** Show the learner's mastery of the routed skill (the inbox). */
  showMastery?: boolean;
  /** Called after a reply, a resolve or a correction, so that the section reloads. */
  changed: (done: 'answered' | 'resolved' | 'corrected', question: IQuestion) => void;
  /** The course's skills (id, title): a mentor may re-route a question to one of them. */
  skills?: { id: string; title: string }[];
  /** The asker may let the question's mentor open their server (under a hub). */
  shareServer?: boolean;
}

/** One question: its text, route, answers, and a box to reply or resolve. */
export function threadView(
  context: IContext,
  question: IQuestion,
  options: IThreadOptions
): HTMLElement {
  const urgent = question.urgent ?? question.route?.urgent ?? false;
  const meta = h(
    'div',
    { class: 'jp-MentorKit-meta' },
    h('span', { class: `jp-MentorKit-badge jp-mod-${question.status}` }, question.status),
    urgent ? h('span', { class: 'jp-MentorKit-badge jp-mod-urgent' }, 'urgent') : null,
    question.escalated
      ? h('span', { class: 'jp-MentorKit-badge jp-mod-escalated' }, 'escalated')
      : null,
    ` ${question.learner} · ${when(question.created)}`,
    question.skill ? ` · ${question.skill}` : '',
    options.showMastery && typeof question.mastery === 'number'
      ? ` · mastery ${percent(question.mastery)}`
      : ''
  );
  const answers = h('ol', { class: 'jp-MentorKit-answers' });
  for (const answer of question.answers) {
    answers.appendChild(
      h(
        'li',
        { class: 'jp-MentorKit-answer', data: { role: answer.role } },
        h('div', { class: 'jp-MentorKit-meta' }, `${answer.author} (${answer.role})`),
        h('div', { class: 'jp-MentorKit-text' }, answer.text)
      )
    );
  }
  const node = h(
    'div',
    {
      class: 'jp-MentorKit-thread',
      data: { question: String(question.id), status: question.status }
    },
    meta,
    h('div', { class: 'jp-MentorKit-text jp-MentorKit-questionText' }, question.text),
    routeView(context, question.route, question.unrouted),
    !options.shareServer &&
      question.server_share &&
      /^(https?:\/\/|\/(?!\/))/.test(question.server_share)
      ? h(
          'a',
          {
            class: 'jp-MentorKit-serverShare',
            attrs: { href: question.server_share, target: '_blank', rel: 'noopener noreferrer' }
          },
          `Open ${question.learner}'s server`
        )
      : null,
    question.answers.length ? answers : null
  );
  if (question.status !== 'resolved') {
    node.appendChild(replyBox(context, question, options));
  }
  return node;
}

function replyBox(
  context: IContext,
  question: IQuestion,
  options: IThreadOptions
): HTMLElement {
  const text = h('textarea', {
    class: 'jp-MentorKit-input jp-MentorKit-reply',
    attrs: { rows: '2', placeholder: `${options.replyLabel}…` }
  });
  const status = h('div', { class: 'jp-MentorKit-status' });
  const act = async (
    done: 'answered' | 'resolved' | 'corrected',
    work: () => Promise<unknown>
  ): Promise<void> => {
    replace(status);
    try {
      await work();
      options.changed(done, question);
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  // a mentor's answer may join the course's FAQ as it is sent
  const share = h('input', { class: 'jp-MentorKit-shareCheck', attrs: { type: 'checkbox' } });
  const reply = button(
    options.replyLabel,
    () => {
      const value = text.value.trim();
      if (value) {
        void act('answered', async () => {
          await context.api.answer(question.id, value);
          if (share.checked) {
            await context.api.share(question.id);
          }
        });
      }
    },
    { accept: true, class: 'jp-MentorKit-replyButton' }
  );
  const resolve = button('Resolve', () => void act('resolved', () => context.api.resolve(question.id)), {
    class: 'jp-MentorKit-resolveButton'
  });
  // the asker lets the question's mentor open their server, for this question
  const shared = Boolean(question.server_share);
  const shareServer =
    options.shareServer && question.mentor
      ? button(
          shared ? 'Stop sharing my server' : `Let ${question.mentor.name} open my server`,
          () => void act('corrected', () => context.api.shareServer(question.id, !shared)),
          { class: 'jp-MentorKit-shareServerButton' }
        )
      : null;
  return h(
    'div',
    { class: 'jp-MentorKit-replyBox' },
    text,
    h(
      'div',
      { class: 'jp-MentorKit-actions' },
      reply,
      resolve,
      shareServer,
      options.showMastery
        ? h('label', { class: 'jp-MentorKit-share' }, share, ' Share with the course')
        : null
    ),
    options.skills ? correctionBox(context, question, options, options.skills, act) : null,
    status
  );
}

/** A mentor's correction of the router: another skill, or the urgency flag flipped. */
function correctionBox(
  context: IContext,
  question: IQuestion,
  options: IThreadOptions,
  skills: { id: string; title: string }[],
  act: (done: 'corrected', work: () => Promise<unknown>) => Promise<void>
): HTMLElement {
  const select = h('select', { class: 'jp-MentorKit-skillSelect' });
  for (const skill of [...skills, { id: 'off-topic', title: 'Off-topic' }]) {
    const option = h('option', { attrs: { value: skill.id } }, skill.title);
    option.selected = skill.id === (question.skill ?? 'off-topic');
    select.appendChild(option);
  }
  const urgent = question.urgent ?? false;
  return h(
    'div',
    { class: 'jp-MentorKit-actions jp-MentorKit-correction' },
    select,
    button(
      'Re-route',
      () => void act('corrected', () => context.api.correct(question.id, { skill: select.value })),
      { class: 'jp-MentorKit-rerouteButton' }
    ),
    button(
      urgent ? 'Mark not urgent' : 'Mark urgent',
      () => void act('corrected', () => context.api.correct(question.id, { urgent: !urgent })),
      { class: 'jp-MentorKit-urgentButton' }
    )
  );
}

/**
 * A list of threads that is drawn again only when its questions changed, so that a poll
 * with nothing new leaves a reply being typed as it is.
 */
export class ThreadList {
  private shown = '';

  constructor(
    private readonly context: IContext,
    private readonly options: IThreadOptions,
    private readonly none: string
  ) {}

  /** Show ``questions`` in ``node`` (after ``before``); unchanged ones only when ``force``. */
  show(node: HTMLElement, questions: IQuestion[], force: boolean, ...before: Child[]): void {
    const signature = JSON.stringify(questions);
    if (!force && signature === this.shown) {
      return;
    }
    this.shown = signature;
    const views = questions.map(question => threadView(this.context, question, this.options));
    replace(node, ...before, ...(views.length ? views : [empty(this.none)]));
  }
}
