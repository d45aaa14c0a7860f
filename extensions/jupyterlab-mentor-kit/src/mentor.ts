import { h } from './dom';
import { IContext, Section } from './section';
import { IThreadOptions, ThreadList } from './thread';

/** The mentor's inbox: open questions, most urgent first, to answer or resolve. */
export class InboxSection extends Section {
  private known: Set<string> | null = null;
  private readonly threads: ThreadList;
  /** What the mentor just did (an answer sent, a question resolved), shown above the list. */
  private notice: HTMLElement | null = null;
  private readonly options: IThreadOptions;
  private skillsLoaded = false;

  constructor(context: IContext) {
    super(context, 'inbox', 'Inbox');
    this.options = {
      replyLabel: 'Answer',
      showMastery: true,
      changed: (done, question) => {
        const said = {
          answered: `Your answer to ${question.learner} was sent.`,
          resolved: `${question.learner}'s question is resolved.`,
          corrected: `${question.learner}'s question is corrected; the router learns from it.`
        };
        this.notice = h(
          'div',
          { class: 'jp-MentorKit-notice', attrs: { role: 'status' } },
          said[done]
        );
        void this.load(false);
      }
    };
    this.threads = new ThreadList(context, this.options, 'No open questions.');
  }

  protected async render(): Promise<void> {
    if (!this.skillsLoaded) {
      try {
        const id = this.context.api.course;
        if (id) {
          const course = await this.context.api.courseDetail(id);
          this.options.skills = course.skills.map(s => ({ id: s.id, title: s.title }));
        }
      } catch {
        // without the course's skills the inbox still answers; it cannot re-route
      }
      this.skillsLoaded = true;
    }
    await this.load(false);
  }

  async poll(): Promise<void> {
    try {
      await this.load(true);
    } catch {
      // a failed poll leaves the inbox as it was; the next refresh shows the error
    }
  }

  private async load(notify: boolean): Promise<void> {
    // the server orders the inbox (most urgent first); the panel keeps its order
    const questions = await this.context.api.inbox();
    if (notify && this.known) {
      for (const question of questions) {
        if (!this.known.has(String(question.id))) {
          this.context.notify(`New question from ${question.learner}: ${question.text}`);
        }
      }
    }
    this.known = new Set(questions.map(q => String(q.id)));
    this.threads.show(this.body, questions, !notify, this.notice);
    if (notify) {
      await this.announceEscalations();
    }
  }

  /** A notification for each question that escalated (unanswered past the deadline). */
  private async announceEscalations(): Promise<void> {
    const escalated = (await this.context.api.notifications()).filter(
      n => n.kind === 'escalated'
    );
    for (const note of escalated) {
      this.context.notify(`Unanswered past the deadline: ${note.text}`);
    }
    if (escalated.length) {
      await this.context.api.notificationsSeen(escalated.map(n => n.id));
    }
  }
}
