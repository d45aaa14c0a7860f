import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';

import mentorKitSvg from '../style/icons/mentor-kit.svg';
import { KitAPI } from './api';
import { IPanelSettings, MentorKitPanel } from './panel';

const PLUGIN_ID = 'jupyterlab-mentor-kit:plugin';

/** The palette's commands. */
export namespace CommandIDs {
  export const open = 'mentor-kit:open';
  export const refresh = 'mentor-kit:refresh';
  export const ask = 'mentor-kit:ask';
}

export const mentorKitIcon = new LabIcon({
  name: 'mentor-kit:icon',
  svgstr: mentorKitSvg
});

function readSettings(settings: ISettingRegistry.ISettings): IPanelSettings {
  return {
    pollInterval: Number(settings.get('pollInterval').composite ?? 30),
    defaultCourse: String(settings.get('defaultCourse').composite ?? '')
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'The Mentor Kit panel: a learner path, mastery and questions; a mentor inbox; an instructor cohort and grading.',
  autoStart: true,
  optional: [ICommandPalette, ILauncher, ISettingRegistry, IDocumentManager, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    settingRegistry: ISettingRegistry | null,
    docManager: IDocumentManager | null,
    restorer: ILayoutRestorer | null
  ) => {
    const api = new KitAPI(app.serviceManager.serverSettings);
    const panel = new MentorKitPanel({
      api,
      current: () => {
        const widget = app.shell.currentWidget;
        return (widget && docManager?.contextForWidget(widget)?.path) || null;
      },
      open: path => {
        if (docManager) {
          docManager.openOrReveal(path);
        } else {
          void app.commands.execute('docmanager:open', { path });
        }
      },
      notify: message => {
        Notification.info(message, { autoClose: 8000 });
      }
    });
    panel.title.icon = mentorKitIcon;
    app.shell.add(panel, 'left', { rank: 600 });
    if (restorer) {
      restorer.add(panel, 'mentor-kit-panel');
    }

    app.commands.addCommand(CommandIDs.open, {
      label: 'Mentor Kit: Open Panel',
      caption: 'Show the Mentor Kit panel (path, mastery, questions)',
      icon: mentorKitIcon,
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Mentor Kit: Refresh',
      execute: () => panel.load()
    });
    app.commands.addCommand(CommandIDs.ask, {
      label: 'Mentor Kit: Ask a Question',
      execute: () => {
        app.shell.activateById(panel.id);
        panel.focusAsk();
      }
    });
    for (const command of [CommandIDs.open, CommandIDs.refresh, CommandIDs.ask]) {
      palette?.addItem({ command, category: 'Mentor Kit' });
    }
    launcher?.add({ command: CommandIDs.open, category: 'Other', rank: 1 });

    const start = async (): Promise<void> => {
      if (settingRegistry) {
        try {
          const settings = await settingRegistry.load(PLUGIN_ID);
          panel.configure(readSettings(settings));
          settings.changed.connect(() => panel.configure(readSettings(settings)));
        } catch (error) {
          console.warn('Mentor Kit: settings could not be loaded; using defaults', error);
        }
      }
      await panel.load();
    };
    // the panel's calls need nothing of the restored layout: they start at once
    void start();
  }
};

export default plugin;
