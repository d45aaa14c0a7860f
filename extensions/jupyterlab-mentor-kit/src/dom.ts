/**
 * Building the panel's DOM. Every string the API returns (questions,
 * answers, titles, names) reaches the page through `textContent` or an
 * attribute, never through `innerHTML`, so no text can inject markup.
 */

import { KitAPIError } from './api';

export type Child = Node | string | null | undefined | false;

export interface IProps {
  class?: string;
  title?: string;
  /** data-* attributes, without the prefix. */
  data?: Record<string, string>;
  attrs?: Record<string, string>;
}

/** An element with classes, attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: IProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) {
    node.className = props.class;
  }
  if (props.title) {
    node.title = props.title;
  }
  for (const [key, value] of Object.entries(props.data ?? {})) {
    node.dataset[key] = value;
  }
  for (const [key, value] of Object.entries(props.attrs ?? {})) {
    node.setAttribute(key, value);
  }
  append(node, ...children);
  return node;
}

/** Append children; strings become text nodes. */
export function append(node: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replace a node's children. */
export function replace(node: Node, ...children: Child[]): void {
  while (node.firstChild) {
    node.removeChild(node.firstChild);
  }
  append(node, ...children);
}

/** A JupyterLab-styled button that runs `onClick`. */
export function button(
  label: string,
  onClick: () => void,
  props: IProps & { accept?: boolean } = {}
): HTMLButtonElement {
  const kind = props.accept ? 'jp-mod-accept' : 'jp-mod-reject';
  const node = h(
    'button',
    { ...props, class: `jp-Button jp-mod-styled ${kind} ${props.class ?? ''}`.trim() },
    label
  );
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/** The message of an API failure, with its fix; never a blank space. */
export function errorBox(error: unknown): HTMLElement {
  const message =
    error instanceof Error ? error.message : 'something went wrong in the panel';
  const fix =
    error instanceof KitAPIError
      ? error.fix
      : 'refresh the panel; if it persists, see the browser console';
  return h(
    'div',
    { class: 'jp-MentorKit-error', attrs: { role: 'alert' } },
    h('div', { class: 'jp-MentorKit-errorMessage' }, `Error: ${message}`),
    h('div', { class: 'jp-MentorKit-errorFix' }, `Fix: ${fix}`)
  );
}

/** A placeholder shown while a section loads. */
export function loading(what: string): HTMLElement {
  return h('div', { class: 'jp-MentorKit-loading' }, `Loading ${what}…`);
}

/** A line saying there is nothing to show. */
export function empty(text: string): HTMLElement {
  return h('div', { class: 'jp-MentorKit-empty' }, text);
}

/** A percentage of a 0..1 value. */
export function percent(value: number): string {
  return `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
}

/** A short local date and time of an ISO timestamp. */
export function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
