import { button, empty, errorBox, h, percent, replace, when } from './dom';
import { IContext, Section } from './section';
import { ICohort, IGradingJob, IGradingStatus } from './types';

/** The cohort: a heatmap of mastery (learner x skill), learners at risk, hard skills. */
export class CohortSection extends Section {
  constructor(context: IContext) {
    super(context, 'cohort', 'Cohort');
  }

  protected async render(): Promise<void> {
    const cohort = await this.context.api.cohort();
    replace(
      this.body,
      cohort.learners.length ? heatmap(cohort) : empty('No learner has an attempt yet.'),
      h('h4', { class: 'jp-MentorKit-subTitle' }, 'Learners at risk'),
      atRisk(cohort),
      h('h4', { class: 'jp-MentorKit-subTitle' }, 'Skills learners struggle with'),
      struggles(cohort)
    );
  }
}

function heatmap(cohort: ICohort): HTMLElement {
  const head = h('tr', {}, h('th', {}, 'learner'));
  for (const skill of cohort.skills) {
    head.appendChild(
      h(
        'th',
        { class: 'jp-MentorKit-skillHead', title: skill.title, data: { skill: skill.id } },
        h('span', {}, skill.id)
      )
    );
  }
  const body = h('tbody');
  cohort.learners.forEach((learner, row) => {
    const line = h('tr', {}, h('th', { class: 'jp-MentorKit-learner' }, learner));
    cohort.skills.forEach((skill, column) => {
      const value = cohort.mastery[row]?.[column];
      const cell = h('td', {
        class: 'jp-MentorKit-cell',
        title: `${learner}, ${skill.title}: ${
          typeof value === 'number' ? percent(value) : 'never attempted'
        }`
      });
      if (typeof value === 'number') {
        // the cell's colour mixes the theme's brand colour by mastery (light and dark themes)
        cell.style.setProperty('--jp-MentorKit-level', String(Math.round(value * 100)));
      } else {
        cell.classList.add('jp-mod-missing');
      }
      line.appendChild(cell);
    });
    body.appendChild(line);
  });
  return h(
    'div',
    { class: 'jp-MentorKit-heatmapBox' },
    h('table', { class: 'jp-MentorKit-heatmap' }, h('thead', {}, head), body),
    legend(cohort.threshold)
  );
}

/** What the cells' shades mean. */
function legend(threshold: number): HTMLElement {
  const node = h('div', { class: 'jp-MentorKit-legend jp-MentorKit-meta' }, 'mastery 0%');
  for (const level of [0, 25, 50, 75, 100]) {
    const cell = h('span', { class: 'jp-MentorKit-cell' });
    cell.style.setProperty('--jp-MentorKit-level', String(level));
    node.appendChild(cell);
  }
  node.appendChild(
    document.createTextNode(`100% · at risk below ${percent(threshold)} · blank: never tried`)
  );
  return node;
}

function atRisk(cohort: ICohort): HTMLElement {
  if (!cohort.at_risk.length) {
    return empty('Nobody is at risk.');
  }
  return h(
    'ul',
    { class: 'jp-MentorKit-atRisk' },
    ...cohort.at_risk.map(risk =>
      h(
        'li',
        { data: { learner: risk.learner } },
        h('strong', {}, risk.learner),
        `: weak in ${
          risk.weak
            .map(weak =>
              weak.mastery === null ? weak.skill : `${weak.skill} (${percent(weak.mastery)})`
            )
            .join(', ') || 'nothing named'
        } before ${risk.next_project}`
      )
    )
  );
}

function struggles(cohort: ICohort): HTMLElement {
  if (!cohort.struggles.length) {
    return empty('No skill stands out.');
  }
  return h(
    'ul',
    { class: 'jp-MentorKit-struggles' },
    // the server lists the hardest first; the panel shows the few that matter most
    ...cohort.struggles.slice(0, 5).map(item =>
      h(
        'li',
        {},
        `${item.title}: ${percent(item.share)} of ${item.learners} learners below the ` +
          `threshold (mean mastery ${percent(item.mean)})`
      )
    )
  );
}

/** Grading per project, with "Grade now" and the job's progress (polled). */
export class GradingSection extends Section {
  private readonly timers = new Map<string, number>();

  constructor(context: IContext) {
    super(context, 'grading', 'Grading');
  }

  protected async render(): Promise<void> {
    const projects = await this.context.api.grading();
    const rows = projects.map(project => this.row(project));
    replace(this.body, ...(rows.length ? rows : [empty('This course has no projects.')]));
  }

  dispose(): void {
    for (const timer of this.timers.values()) {
      window.clearTimeout(timer);
    }
    this.timers.clear();
  }

  private row(project: IGradingStatus): HTMLElement {
    const progress = h('div', { class: 'jp-MentorKit-jobBox' });
    const score =
      project.mean_score === null
        ? 'no scores yet'
        : `mean ${project.mean_score.toFixed(1)} / ${project.max_score}`;
    const start = button(
      'Grade now',
      () => void this.start(project.project, start, progress),
      { accept: true, class: 'jp-MentorKit-gradeButton' }
    );
    const node = h(
      'div',
      { class: 'jp-MentorKit-project', data: { project: project.project } },
      h('div', { class: 'jp-MentorKit-projectTitle' }, project.title),
      h(
        'div',
        { class: 'jp-MentorKit-meta' },
        `${project.graded} of ${project.submitted} submissions graded · ${score}`,
        project.last_run ? ` · last run ${when(project.last_run)}` : ''
      ),
      h('div', { class: 'jp-MentorKit-actions' }, start),
      progress
    );
    if (project.job) {
      // the last run: its progress while it runs, then how it ended
      this.show(project.job, progress);
      if (project.job.state === 'running') {
        start.disabled = true;
        this.follow(project.project, start, progress);
      }
    }
    return node;
  }

  private async start(
    project: string,
    start: HTMLButtonElement,
    progress: HTMLElement
  ): Promise<void> {
    start.disabled = true;
    try {
      this.show(await this.context.api.grade(project), progress);
      this.follow(project, start, progress);
    } catch (error) {
      start.disabled = false;
      replace(progress, errorBox(error));
    }
  }

  /** Poll the job until it ends, then reload the table. */
  private follow(project: string, start: HTMLButtonElement, progress: HTMLElement): void {
    const tick = async (): Promise<void> => {
      this.timers.delete(project);
      try {
        const job = await this.context.api.gradingJob(project);
        this.show(job, progress);
        if (job.state === 'running') {
          this.timers.set(project, window.setTimeout(() => void tick(), 1000));
          return;
        }
        this.context.notify(
          job.state === 'finished'
            ? `Grading ${project} finished: ${job.done} submissions`
            : `Grading ${project} failed: ${job.message || 'see the server log'}`
        );
        start.disabled = false;
        if (job.state === 'finished') {
          await this.refresh();
        }
      } catch (error) {
        start.disabled = false;
        replace(progress, errorBox(error));
      }
    };
    this.timers.set(project, window.setTimeout(() => void tick(), 1000));
  }

  private show(job: IGradingJob, progress: HTMLElement): void {
    const fill = h('div', { class: 'jp-MentorKit-barFill' });
    const fraction =
      job.state === 'finished' ? 1 : job.total ? Math.min(1, job.done / job.total) : 0;
    fill.style.width = percent(fraction);
    const label =
      job.state === 'failed'
        ? `failed: ${job.message || 'see the server log'}`
        : `${job.state}: ${job.done} of ${job.total ?? '?'} submissions`;
    replace(
      progress,
      h(
        'div',
        {
          class: `jp-MentorKit-bar jp-MentorKit-job jp-mod-${job.state}`,
          data: { state: job.state }
        },
        fill
      ),
      h('div', { class: 'jp-MentorKit-meta' }, label)
    );
  }
}
