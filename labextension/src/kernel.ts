/**
 * The notebook's kernel side of the panel: the `jupyter_mlver` comm that hands the kernel
 * the on-screen notebook, and running `%mlver snapshot` in it.
 */
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { COMM_TARGET } from './tokens';

/**
 * Answer the kernel's `{"action": "get_notebook"}` on a `jupyter_mlver` comm with
 * `{"action": "notebook", "path", "notebook"}` (the current model, unsaved edits and
 * outputs included), then close the comm.
 */
export function registerNotebookComm(tracker: INotebookTracker): void {
  const registered = new WeakSet<Kernel.IKernelConnection>();

  const register = (panel: NotebookPanel): void => {
    const kernel = panel.sessionContext.session?.kernel;
    if (!kernel || registered.has(kernel) || kernel.isDisposed) {
      return;
    }
    registered.add(kernel);
    kernel.registerCommTarget(COMM_TARGET, (comm, openMsg) => {
      let answered = false;
      const answer = (data: any): void => {
        if (answered || data?.action !== 'get_notebook') {
          return;
        }
        answered = true;
        comm.send(notebookMessage(panel) as any);
        comm.close();
      };
      comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => answer(msg.content.data);
      // The request may also come with the comm's opening message.
      answer(openMsg.content.data);
    });
  };

  tracker.widgetAdded.connect((_, panel) => {
    panel.sessionContext.kernelChanged.connect(() => register(panel));
    void panel.sessionContext.ready.then(() => register(panel));
  });
  tracker.forEach(panel => {
    panel.sessionContext.kernelChanged.connect(() => register(panel));
    void panel.sessionContext.ready.then(() => register(panel));
  });
}

/**
 * The message both directions carry: the notebook as shown, with unsaved edits and
 * current outputs, and its server-relative path.
 */
export function notebookMessage(panel: NotebookPanel): {
  action: 'notebook';
  path: string;
  notebook: any;
} {
  const model = panel.content.model;
  return {
    action: 'notebook',
    path: panel.context.path,
    notebook: model ? model.toJSON() : null
  };
}

/**
 * Push the on-screen notebook to the kernel: open a `jupyter_mlver` comm whose opening
 * data is `{"action": "notebook", "path", "notebook"}`, then close it.
 *
 * Sent just before an execute request that takes a snapshot; the kernel handles comm
 * messages in order on its shell channel, so it has the document when the cell runs
 * (a kernel busy running a cell could not answer a request made from inside it). A kernel
 * without the extension loaded has no such target and ignores it.
 */
export function pushNotebook(panel: NotebookPanel): boolean {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel || kernel.isDisposed || !panel.content.model) {
    return false;
  }
  try {
    const comm = kernel.createComm(COMM_TARGET);
    comm.open(notebookMessage(panel) as any);
    comm.close();
    return true;
  } catch (error) {
    console.warn(
      'jupyter_mlver: could not send the notebook to the kernel',
      error
    );
    return false;
  }
}

/** Cells that take a snapshot: `%mlver snapshot`, `jupyter_mlver.snapshot(...)`. */
const SNAPSHOT_CELL = /%mlver\s+snapshot|mlver\.snapshot\s*\(/;

/**
 * Before a cell that takes a snapshot runs, push the notebook to its kernel.
 */
export function pushBeforeSnapshotCells(tracker: INotebookTracker): void {
  NotebookActions.executionScheduled.connect((_, { notebook, cell }) => {
    if (cell.model.type !== 'code') {
      return;
    }
    if (!SNAPSHOT_CELL.test(cell.model.sharedModel.getSource())) {
      return;
    }
    const panel = tracker.find(p => p.content === notebook);
    if (panel) {
      pushNotebook(panel);
    }
  });
}

/**
 * Quote a message as one shell-like argument (the magic splits with shlex).
 */
export function quoteArg(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ').trim();
  return '"' + oneLine.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** Loads the extension unless it is loaded (no output either way). */
export const LOAD_CODE =
  "get_ipython().extension_manager.load_extension('jupyter_mlver')";

/**
 * The code the Snapshot button runs (silently, outside the history).
 */
export function snapshotCode(message: string): string {
  return `%mlver snapshot -m ${quoteArg(message)}`;
}

export interface ISnapshotOutcome {
  ok: boolean;
  /** Text the kernel printed (stream, text/plain results) or the error. */
  text: string;
}

/**
 * Save the notebook, then run `%mlver snapshot` in its kernel.
 */
export async function snapshotNotebook(
  panel: NotebookPanel,
  message: string
): Promise<ISnapshotOutcome> {
  await panel.context.ready;
  await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    return { ok: false, text: 'the notebook has no running kernel' };
  }
  await panel.context.save();
  const texts: string[] = [];
  let error = '';
  const run = (code: string) => {
    const future = kernel.requestExecute({
      code,
      silent: true,
      store_history: false,
      allow_stdin: false,
      stop_on_error: true
    });
    future.onIOPub = msg => {
      const type = msg.header.msg_type;
      const content: any = msg.content;
      if (type === 'stream') {
        texts.push(content.text);
      } else if (type === 'display_data' || type === 'execute_result') {
        const plain = content.data?.['text/plain'];
        if (plain) {
          texts.push(String(plain));
        }
      } else if (type === 'error') {
        error = `${content.ename}: ${stripAnsi(content.evalue)}`;
      }
    };
    return future;
  };
  const loaded = await run(LOAD_CODE).done;
  if ((loaded.content as any).status !== 'ok' || error) {
    return {
      ok: false,
      text: error || 'cannot load jupyter_mlver in this kernel'
    };
  }
  // The kernel now has the comm target: hand it the document as shown, so the record
  // has unsaved edits and current outputs (source "frontend").
  pushNotebook(panel);
  const future = run(snapshotCode(message));
  const reply = await future.done;
  const content: any = reply.content;
  if (content.status !== 'ok' || error) {
    return {
      ok: false,
      text:
        error ||
        `${content.ename ?? 'error'}: ${stripAnsi(content.evalue ?? '')}`
    };
  }
  return { ok: true, text: stripAnsi(texts.join('')).trim() };
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
