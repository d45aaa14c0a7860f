import { empty, replace } from './dom';
import { IContext, Section } from './section';
import { threadView } from './thread';

/** The mentor's inbox: open questions, most urgent first, to answer or resolve. */
export class InboxSection extends Section {
  private known: Set<string> | null = null;
  private shown = '';

  constructor(context: IContext) {
    super(context, 'inbox', 'Inbox');
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
    const signature = JSON.stringify(questions);
    if (notify && signature === this.shown) {
      return;
    }
    this.shown = signature;
    const views = questions.map(question =>
      threadView(this.context, question, {
        replyLabel: 'Answer',
        showMastery: true,
        changed: () => void this.load(false)
      })
    );
    replace(this.body, ...(views.length ? views : [empty('No open questions.')]));
  }
}
