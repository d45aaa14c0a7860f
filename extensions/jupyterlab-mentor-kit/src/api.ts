import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IAnswer,
  ICohort,
  ICourse,
  ICourseSummary,
  IGradingJob,
  IGradingStatus,
  IMastery,
  IMe,
  INotification,
  IPath,
  IProfile,
  IQuestion,
  IRoute,
  ISimilar
} from './types';

/** Where the server extension answers, below the Jupyter server's base URL. */
export const API_BASE = 'kit/api/v1';

/**
 * A failed call: the server's message and its fix (the API's error body is
 * `{"error": ..., "fix": ...}`), or a message of the panel's own when the
 * server could not be reached or did not answer in JSON.
 */
export class KitAPIError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    readonly status: number | null = null
  ) {
    super(message);
    this.name = 'KitAPIError';
  }
}

const NO_EXTENSION_FIX =
  'install mentor-kit in the environment of this Jupyter server and restart it ' +
  '(`jupyter server extension list` should show kit.server enabled)';

/** Turn a response that is not OK into a KitAPIError. */
async function failure(response: Response): Promise<KitAPIError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (body && typeof body === 'object' && 'error' in body) {
    const { error, fix } = body as { error: unknown; fix?: unknown };
    return new KitAPIError(
      String(error),
      fix ? String(fix) : 'try again; if it persists, see the Jupyter server log',
      response.status
    );
  }
  if (response.status === 404) {
    return new KitAPIError(
      'the Mentor Kit server API is not available on this Jupyter server (404)',
      NO_EXTENSION_FIX,
      404
    );
  }
  return new KitAPIError(
    `the Mentor Kit server API answered ${response.status} ${response.statusText}`,
    'see the Jupyter server log for the cause',
    response.status
  );
}

/**
 * The client of the Mentor Kit REST API. Requests go through JupyterLab's
 * ServerConnection, which adds the token and the XSRF header.
 */
export class KitAPI {
  /** The course the calls concern; null lets the server pick its first. */
  course: string | null = null;

  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  /** Call one endpoint and return its JSON body. */
  async request<T>(
    endpoint: string,
    init: RequestInit = {},
    withCourse = true
  ): Promise<T> {
    let url = URLExt.join(this.settings.baseUrl, API_BASE, endpoint);
    if (withCourse && this.course) {
      url += URLExt.objectToQueryString({ course: this.course });
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.settings);
    } catch (error) {
      throw new KitAPIError(
        'the Jupyter server could not be reached',
        'check that JupyterLab is still running, then refresh the panel'
      );
    }
    if (!response.ok) {
      throw await failure(response);
    }
    const text = await response.text();
    try {
      return (text ? JSON.parse(text) : null) as T;
    } catch {
      throw new KitAPIError(
        `the Mentor Kit server API answered ${endpoint} with something that is not JSON`,
        NO_EXTENSION_FIX,
        response.status
      );
    }
  }

  private post<T>(endpoint: string, body: unknown = {}): Promise<T> {
    return this.request<T>(endpoint, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });
  }

  me(): Promise<IMe> {
    return this.request<IMe>('me', {}, false);
  }

  /** The courses the server sees; the one ``notebook`` belongs to first. */
  courses(notebook: string | null = null): Promise<ICourseSummary[]> {
    const query = notebook ? URLExt.objectToQueryString({ notebook }) : '';
    return this.request<ICourseSummary[]>(`courses${query}`, {}, false);
  }

  courseDetail(id: string): Promise<ICourse> {
    return this.request<ICourse>(`courses/${encodeURIComponent(id)}`, {}, false);
  }

  profile(): Promise<IProfile> {
    return this.request<IProfile>('me/profile');
  }

  /** Replace the learner's profile (fields left out take their defaults). */
  saveProfile(profile: IProfile): Promise<IProfile> {
    const { learner: _ignored, ...fields } = profile;
    return this.request<IProfile>('me/profile', {
      method: 'PUT',
      body: JSON.stringify(fields),
      headers: { 'Content-Type': 'application/json' }
    });
  }

  path(): Promise<IPath> {
    return this.request<IPath>('me/path');
  }

  mastery(): Promise<IMastery> {
    return this.request<IMastery>('me/mastery');
  }

  route(text: string): Promise<IRoute> {
    return this.post<IRoute>('route', { text });
  }

  ask(text: string, resolvedBy?: IQuestion['id']): Promise<IQuestion> {
    const body = resolvedBy === undefined ? { text } : { text, resolved_by: resolvedBy };
    return this.post<IQuestion>('questions', body);
  }

  /** Answered questions of the course like ``text``, most similar first. */
  similar(text: string): Promise<ISimilar> {
    return this.post<ISimilar>('questions/similar', { text });
  }

  notifications(): Promise<INotification[]> {
    return this.request<INotification[]>('notifications');
  }

  notificationsSeen(ids: string[]): Promise<{ seen: number }> {
    return this.post<{ seen: number }>('notifications/seen', { ids });
  }

  questions(): Promise<IQuestion[]> {
    return this.request<IQuestion[]>('questions');
  }

  answer(question: IQuestion['id'], text: string): Promise<IAnswer> {
    return this.post<IAnswer>(`questions/${encodeURIComponent(question)}/answers`, {
      text
    });
  }

  resolve(question: IQuestion['id']): Promise<IQuestion> {
    return this.post<IQuestion>(`questions/${encodeURIComponent(question)}/resolve`);
  }

  /**
   * Let the question's mentor open the asker's server (through the hub's sharing API), or
   * take that back.
   */
  shareServer(question: IQuestion['id'], on: boolean): Promise<IQuestion> {
    return this.request<IQuestion>(`questions/${encodeURIComponent(question)}/server-share`, {
      method: on ? 'PUT' : 'DELETE',
      body: on ? '' : undefined,
      headers: { 'Content-Type': 'application/json' }
    });
  }

  /** Share a question's latest answer with the course's FAQ. */
  share(question: IQuestion['id']): Promise<unknown> {
    return this.post<unknown>(`questions/${encodeURIComponent(question)}/share`);
  }

  /** A mentor's correction of a question's skill (`off-topic`: none) or urgency. */
  correct(
    question: IQuestion['id'],
    correction: { skill?: string; urgent?: boolean }
  ): Promise<IQuestion> {
    return this.request<IQuestion>(`questions/${encodeURIComponent(question)}`, {
      method: 'PATCH',
      body: JSON.stringify(correction),
      headers: { 'Content-Type': 'application/json' }
    });
  }

  inbox(): Promise<IQuestion[]> {
    return this.request<IQuestion[]>('inbox');
  }

  cohort(): Promise<ICohort> {
    return this.request<ICohort>('cohort');
  }

  grading(): Promise<IGradingStatus[]> {
    return this.request<IGradingStatus[]>('grading');
  }

  grade(project: string): Promise<IGradingJob> {
    return this.post<IGradingJob>(`grading/${encodeURIComponent(project)}`);
  }

  gradingJob(project: string): Promise<IGradingJob> {
    return this.request<IGradingJob>(`grading/${encodeURIComponent(project)}/job`);
  }
}
