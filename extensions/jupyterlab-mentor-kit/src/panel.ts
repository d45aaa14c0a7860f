import { Widget } from '@lumino/widgets';

import { KitAPI, KitAPIError } from './api';
import { button, errorBox, h, loading, replace } from './dom';
import { CohortSection, GradingSection } from './instructor';
import { AskSection, MasterySection, PathSection } from './learner';
import { InboxSection } from './mentor';
import { IContext, Section } from './section';
import { IMe, Role } from './types';

export interface IPanelOptions {
  api: KitAPI;
  /** The path of the notebook in front, if any: its course is shown first. */
  current(): string | null;
  open(path: string): void;
  notify(message: string): void;
}

/** The settings the panel follows (schema/plugin.json). */
export interface IPanelSettings {
  /** Seconds between two looks for new answers, questions and grading progress. */
  pollInterval: number;
  /** The course shown first, when the server can see it. */
  defaultCourse: string;
}

const SECTIONS: Record<Role, ((context: IContext) => Section)[]> = {
  learner: [
    c => new PathSection(c),
    c => new MasterySection(c),
    c => new AskSection(c)
  ],
  mentor: [c => new InboxSection(c)],
  instructor: [
    c => new InboxSection(c),
    c => new CohortSection(c),
    c => new GradingSection(c)
  ]
};

/**
 * The "Mentor Kit" side panel: who the user is decides what it shows (a
 * learner's path, mastery and questions; a mentor's inbox; an instructor's
 * inbox, cohort and grading).
 */
export class MentorKitPanel extends Widget {
  private readonly header: HTMLElement;
  private readonly content: HTMLElement;
  private sections: Section[] = [];
  private me: IMe | null = null;
  private timer: number | null = null;
  private settings: IPanelSettings = { pollInterval: 30, defaultCourse: '' };

  constructor(private readonly options: IPanelOptions) {
    super();
    this.id = 'mentor-kit-panel';
    this.addClass('jp-MentorKit');
    this.title.caption = 'Mentor Kit';
    this.header = h('div', { class: 'jp-MentorKit-header' });
    this.content = h('div', { class: 'jp-MentorKit-content' });
    this.node.appendChild(this.header);
    this.node.appendChild(this.content);
  }

  /** Apply new settings: the poll interval and, before the first load, the course. */
  configure(settings: IPanelSettings): void {
    const course = settings.defaultCourse !== this.settings.defaultCourse;
    this.settings = settings;
    this.schedule();
    if (course && this.me) {
      void this.load();
    }
  }

  /** Ask who the user is, then build and fill the sections of their role. */
  async load(): Promise<void> {
    this.clear();
    replace(this.content, loading('Mentor Kit'));
    try {
      this.me = await this.options.api.me();
    } catch (error) {
      replace(this.header, this.titleRow());
      replace(this.content, errorBox(error));
      return;
    }
    const me = this.me;
    this.options.api.course = await this.chooseCourse(me);
    replace(this.header, this.titleRow(), this.who(me));
    if (!me.courses.length) {
      replace(
        this.content,
        errorBox(
          new KitAPIError(
            'this Jupyter server sees no course',
            'start JupyterLab in a folder that holds a course (a folder with course.yml), ' +
              'or name course folders in c.KitServer.course_dirs'
          )
        )
      );
      return;
    }
    const context: IContext = { ...this.options, api: this.options.api, me };
    this.sections = (SECTIONS[me.role] ?? SECTIONS.learner).map(make => make(context));
    replace(this.content, ...this.sections.map(section => section.node));
    this.node.dataset.role = me.role;
    await this.refresh();
    this.schedule();
  }

  /**
   * The course to show: the one chosen in the panel, else the default of the settings,
   * else the course of the notebook in front, else the first.
   */
  private async chooseCourse(me: IMe): Promise<string | null> {
    const chosen = this.options.api.course;
    if (chosen && me.courses.includes(chosen)) {
      return chosen;
    }
    if (me.courses.includes(this.settings.defaultCourse)) {
      return this.settings.defaultCourse;
    }
    const notebook = this.options.current();
    if (notebook && me.courses.length > 1) {
      try {
        const [first] = await this.options.api.courses(notebook);
        if (first && me.courses.includes(first.id)) {
          return first.id;
        }
      } catch {
        // the first course will do
      }
    }
    return me.courses[0] ?? null;
  }

  /** Reload every section. */
  async refresh(): Promise<void> {
    await Promise.all(this.sections.map(section => section.refresh()));
  }

  /** Put the cursor in the question box (learners). */
  focusAsk(): void {
    const ask = this.sections.find(section => section instanceof AskSection);
    (ask as AskSection | undefined)?.focus();
  }

  dispose(): void {
    this.clear();
    super.dispose();
  }

  private clear(): void {
    if (this.timer !== null) {
      window.clearInterval(this.timer);
      this.timer = null;
    }
    this.sections.forEach(section => section.dispose());
    this.sections = [];
  }

  private schedule(): void {
    if (this.timer !== null) {
      window.clearInterval(this.timer);
      this.timer = null;
    }
    if (!this.sections.length) {
      return;
    }
    const seconds = Math.max(1, this.settings.pollInterval);
    this.timer = window.setInterval(() => {
      void Promise.all(this.sections.map(section => section.poll()));
    }, seconds * 1000);
  }

  private titleRow(): HTMLElement {
    return h(
      'div',
      { class: 'jp-MentorKit-titleRow' },
      h('h2', { class: 'jp-MentorKit-title' }, 'Mentor Kit'),
      button('Refresh', () => void this.load(), { class: 'jp-MentorKit-refresh' })
    );
  }

  private who(me: IMe): HTMLElement {
    const line = h(
      'div',
      { class: 'jp-MentorKit-who' },
      h('span', { class: 'jp-MentorKit-user' }, me.name),
      h('span', { class: `jp-MentorKit-badge jp-mod-${me.role}` }, me.role)
    );
    if (me.courses.length > 1) {
      const select = h('select', {
        class: 'jp-MentorKit-course jp-mod-styled',
        attrs: { 'aria-label': 'course' }
      });
      for (const course of me.courses) {
        const option = h('option', { attrs: { value: course } }, course);
        option.selected = course === this.options.api.course;
        select.appendChild(option);
      }
      select.addEventListener('change', () => {
        this.options.api.course = select.value;
        void this.load();
      });
      line.appendChild(select);
    } else if (me.courses.length === 1) {
      line.appendChild(h('span', { class: 'jp-MentorKit-muted' }, me.courses[0]));
    }
    return line;
  }
}
