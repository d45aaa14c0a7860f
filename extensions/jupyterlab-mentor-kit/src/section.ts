import { KitAPI } from './api';
import { errorBox, h, loading, replace } from './dom';
import { IMe } from './types';

/** What every section of the panel can reach. */
export interface IContext {
  api: KitAPI;
  me: IMe;
  /** Open a notebook (a path below the server's root) in JupyterLab. */
  open(path: string): void;
  /** Tell the user something happened while they were elsewhere. */
  notify(message: string): void;
}

/**
 * One titled part of the panel. `refresh` loads its data and renders it;
 * a failure is shown in place as the API's message and fix.
 */
export abstract class Section {
  readonly node: HTMLElement;
  protected readonly body: HTMLElement;

  constructor(
    protected readonly context: IContext,
    readonly id: string,
    readonly title: string
  ) {
    this.body = h('div', { class: 'jp-MentorKit-sectionBody' });
    this.node = h(
      'section',
      { class: `jp-MentorKit-section jp-MentorKit-section-${id}`, data: { section: id } },
      h('h3', { class: 'jp-MentorKit-sectionTitle' }, title),
      this.body
    );
  }

  /** Load and render; errors are shown, never thrown. */
  async refresh(): Promise<void> {
    if (!this.body.firstChild) {
      replace(this.body, loading(this.title.toLowerCase()));
    }
    try {
      await this.render();
    } catch (error) {
      replace(this.body, errorBox(error));
    }
  }

  /** Called on every poll; by default a section does not poll. */
  async poll(): Promise<void> {
    return;
  }

  /** Stop whatever the section runs in the background. */
  dispose(): void {
    return;
  }

  protected abstract render(): Promise<void>;
}
