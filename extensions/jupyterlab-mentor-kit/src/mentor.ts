import { h } from './dom';
import { IContext, Section } from './section';
import { ThreadList } from './thread';

/** The mentor's inbox: open questions, most urgent first, to answer or resolve. */
export class InboxSection extends Section {
  private known: Set<string> | null = null;
  private readonly threads: ThreadList;
  /** What the mentor just did (an answer sent, a question resolved), shown above the list. */
  private notice: HTMLElement | null = null;

  constructor(context: IContext) {
    super(context, 'inbox', 'Inbox');
    this.threads = new ThreadList(
      context,
      {
        replyLabel: 'Answer',
        showMastery: true,
        changed: (done, question) => {
          this.notice = h(
            'div',
            { class: 'jp-MentorKit-notice', attrs: { role: 'status' } },
            done === 'answered'
              ? `Your answer to ${question.learner} was sent.`
              : `${question.learner}'s question is resolved.`
          );
          void this.load(false);
        }
      },
      'No open questions.'
    );
  }

  protected async render(): Promise<void> {
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
