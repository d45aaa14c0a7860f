import { PageConfig } from '@jupyterlab/coreutils';

import { button, empty, errorBox, h, percent, replace } from './dom';
import { IContext, Section } from './section';
import { lessonLink, routeView, ThreadList } from './thread';
import { ICourse, IPathItem, IProfile, IQuestion, ISimilar } from './types';

/** "My path": the next lessons and projects, each with its reason. */
export class PathSection extends Section {
  constructor(context: IContext) {
    super(context, 'path', 'My path');
  }

  protected async render(): Promise<void> {
    const { api } = this.context;
    const [path, profile, course] = await Promise.all([
      api.path(),
      api.profile(),
      api.course ? api.courseDetail(api.course) : Promise.resolve(null)
    ]);
    const summary = h(
      'div',
      { class: 'jp-MentorKit-pathSummary' },
      path.goal_met
        ? 'Goal met: every skill of your track is mastered.'
        : `${percent(path.progress)} of your goal done · ${hours(path.minutes)} left`
    );
    const messages = path.messages.map(text =>
      h('div', { class: 'jp-MentorKit-message' }, text)
    );
    const list = h('ol', { class: 'jp-MentorKit-pathItems' });
    for (const item of path.items) {
      list.appendChild(this.item(item));
    }
    replace(
      this.body,
      course ? this.planner(course, profile) : null,
      path.goals.length ? summary : null,
      ...messages,
      path.items.length ? list : path.goals.length ? empty('Nothing left to do on this path.') : null
    );
  }

  /** The learner's track and weekly hours, which the path is planned from. */
  private planner(course: ICourse, profile: IProfile): HTMLElement {
    const track = h('select', {
      class: 'jp-mod-styled jp-MentorKit-track',
      attrs: { 'aria-label': 'track' }
    });
    track.appendChild(h('option', { attrs: { value: '' } }, 'Choose a track…'));
    for (const choice of course.tracks) {
      const option = h('option', { attrs: { value: choice.id } }, choice.title);
      option.selected = choice.id === profile.track;
      track.appendChild(option);
    }
    const hours = h('input', {
      class: 'jp-MentorKit-input jp-MentorKit-hours',
      attrs: { type: 'number', min: '1', max: '80', step: '1', 'aria-label': 'hours a week' }
    });
    hours.value = String(profile.hours_per_week);
    const status = h('div', { class: 'jp-MentorKit-status' });
    const plan = button(
      'Plan my path',
      async () => {
        const weekly = Number(hours.value);
        try {
          await this.context.api.saveProfile({
            ...profile,
            track: track.value || null,
            hours_per_week: weekly > 0 ? Math.min(weekly, 80) : profile.hours_per_week
          });
          await this.refresh();
        } catch (error) {
          replace(status, errorBox(error));
        }
      },
      { accept: true, class: 'jp-MentorKit-planButton' }
    );
    return h(
      'div',
      { class: 'jp-MentorKit-planner' },
      h('div', { class: 'jp-MentorKit-actions' }, track),
      h(
        'div',
        { class: 'jp-MentorKit-actions' },
        hours,
        h('span', { class: 'jp-MentorKit-muted' }, 'hours a week'),
        plan
      ),
      status
    );
  }

  private item(item: IPathItem): HTMLElement {
    return h(
      'li',
      { class: 'jp-MentorKit-pathItem', data: { kind: item.kind, id: item.id } },
      h(
        'div',
        { class: 'jp-MentorKit-pathHead' },
        h('span', { class: `jp-MentorKit-badge jp-mod-${item.kind}` }, item.kind),
        lessonLink(this.context, item.title, item.notebook),
        h(
          'span',
          { class: 'jp-MentorKit-muted' },
          ` week ${item.week} · ${item.minutes} min`
        )
      ),
      h('div', { class: 'jp-MentorKit-reason' }, item.reason)
    );
  }
}

function hours(minutes: number): string {
  return minutes < 60 ? `${Math.round(minutes)} min` : `${(minutes / 60).toFixed(1)} h`;
}

/** Mastery per skill, as bars. */
export class MasterySection extends Section {
  constructor(context: IContext) {
    super(context, 'mastery', 'Mastery');
  }

  protected async render(): Promise<void> {
    const mastery = await this.context.api.mastery();
    const rows = mastery.skills.map(skill => {
      const fill = h('div', { class: 'jp-MentorKit-barFill' });
      const value = skill.mastery ?? 0;
      const shown = skill.mastery === null ? 'no answers yet' : percent(value);
      fill.style.width = percent(value);
      return h(
        'div',
        {
          class: `jp-MentorKit-mastery${skill.mastered ? ' jp-mod-mastered' : ''}`,
          data: { skill: skill.id },
          title: `${skill.title}: ${shown} (mastered at ${percent(mastery.threshold)})`
        },
        h('span', { class: 'jp-MentorKit-masteryLabel' }, skill.title),
        h(
          'div',
          {
            class: 'jp-MentorKit-bar',
            attrs: {
              role: 'meter',
              'aria-valuemin': '0',
              'aria-valuemax': '100',
              'aria-valuenow': String(Math.round(value * 100)),
              'aria-label': skill.title
            }
          },
          fill
        ),
        h(
          'span',
          { class: 'jp-MentorKit-masteryValue' },
          skill.mastery === null ? '–' : percent(value)
        )
      );
    });
    replace(this.body, ...(rows.length ? rows : [empty('No skills in this course.')]));
  }
}

/**
 * Ask a question: the route appears as soon as it is stored, and the thread of
 * the learner's questions below it gets the answers (polled; a notification
 * says when one arrives).
 */
export class AskSection extends Section {
  private readonly input: HTMLTextAreaElement;
  private readonly result: HTMLElement;
  private readonly thread: HTMLElement;
  /** Answers seen per question, to notice new ones. */
  private seen: Map<string, number> | null = null;
  private readonly threads: ThreadList;

  constructor(context: IContext) {
    super(context, 'ask', 'Ask a question');
    this.input = h('textarea', {
      class: 'jp-MentorKit-input jp-MentorKit-askInput',
      attrs: { rows: '3', placeholder: 'What are you stuck on?' }
    });
    this.input.addEventListener('keydown', event => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        void this.ask();
      }
    });
    this.result = h('div', { class: 'jp-MentorKit-askResult' });
    this.thread = h('div', { class: 'jp-MentorKit-questions' });
    this.threads = new ThreadList(
      context,
      {
        replyLabel: 'Follow up',
        changed: () => void this.loadThread(false),
        // on a hub, the learner's server can be shared with their mentor
        shareServer: PageConfig.getOption('hubUser') !== ''
      },
      'You have asked nothing yet.'
    );
  }

  focus(): void {
    this.input.focus();
  }

  protected async render(): Promise<void> {
    if (!this.body.contains(this.input)) {
      replace(
        this.body,
        this.input,
        h(
          'div',
          { class: 'jp-MentorKit-actions' },
          button('Ask', () => void this.ask(), {
            accept: true,
            class: 'jp-MentorKit-askButton'
          })
        ),
        this.result,
        h('h4', { class: 'jp-MentorKit-subTitle' }, 'My questions'),
        this.thread
      );
    }
    await this.loadThread(false);
  }

  async poll(): Promise<void> {
    try {
      await this.loadThread(true);
    } catch {
      // a failed poll leaves the thread as it was; the next refresh shows the error
    }
  }

  /**
   * Before a question is sent, the course's answered questions like it: one of
   * them may answer it already ("This answered it" closes it without a mentor).
   */
  private async ask(): Promise<void> {
    const text = this.input.value.trim();
    if (!text) {
      return;
    }
    replace(
      this.result,
      h('div', { class: 'jp-MentorKit-loading' }, 'Looking for answers already given…')
    );
    let found: ISimilar | null = null;
    try {
      found = await this.context.api.similar(text);
    } catch {
      found = null; // no similar questions to show never stops a question
    }
    if (found && found.similar.length) {
      this.offer(text, found);
      return;
    }
    await this.send(text);
  }

  private offer(text: string, found: ISimilar): void {
    const items = found.similar.map(item =>
      h(
        'div',
        { class: 'jp-MentorKit-similar', data: { question: String(item.id) } },
        h('div', { class: 'jp-MentorKit-similarText' }, item.text),
        ...item.answers.map(answer =>
          h('div', { class: 'jp-MentorKit-similarAnswer' }, answer.text)
        ),
        h(
          'div',
          { class: 'jp-MentorKit-actions' },
          button('This answered it', () => void this.send(text, item.id), {
            class: 'jp-MentorKit-answeredIt'
          })
        )
      )
    );
    replace(
      this.result,
      h('div', { class: 'jp-MentorKit-label' }, 'Answered before in this course:'),
      ...items,
      h(
        'div',
        { class: 'jp-MentorKit-actions' },
        button('Send my question', () => void this.send(text), {
          accept: true,
          class: 'jp-MentorKit-sendAnyway'
        })
      )
    );
  }

  private async send(text: string, resolvedBy?: number): Promise<void> {
    replace(this.result, h('div', { class: 'jp-MentorKit-loading' }, 'Routing…'));
    try {
      const question = await this.context.api.ask(text, resolvedBy);
      this.input.value = '';
      if (resolvedBy !== undefined) {
        replace(
          this.result,
          h(
            'div',
            { class: 'jp-MentorKit-notice' },
            'Glad it helped: your question is marked resolved by that answer.'
          )
        );
      } else {
        replace(
          this.result,
          h('div', { class: 'jp-MentorKit-label' }, 'Your question was routed:'),
          routeView(this.context, question.route, question.unrouted)
        );
      }
      await this.loadThread(false);
    } catch (error) {
      replace(this.result, errorBox(error));
    }
  }

  private async loadThread(notify: boolean): Promise<void> {
    const questions = await this.context.api.questions();
    if (notify) {
      this.announce(questions);
    }
    this.seen = new Map(questions.map(q => [String(q.id), q.answers.length]));
    this.threads.show(this.thread, questions, !notify);
  }

  /** A notification for each answer that arrived since the last look. */
  private announce(questions: IQuestion[]): void {
    if (!this.seen) {
      return;
    }
    for (const question of questions) {
      const before = this.seen.get(String(question.id)) ?? 0;
      const fresh = question.answers
        .slice(before)
        .filter(answer => answer.author !== this.context.me.name);
      for (const answer of fresh) {
        this.context.notify(`${answer.author} answered your question: ${answer.text}`);
      }
    }
  }
}
