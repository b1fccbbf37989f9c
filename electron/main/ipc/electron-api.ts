// The few Electron types main uses, declared here so that type-checking never depends on the `electron` package
// (an optional dependency that cannot install everywhere). The module itself is loaded with a dynamic import,
// only when running inside Electron. Shapes follow Electron 45's API.

/** A renderer's web contents. */
export interface WebContentsLike {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void; url: string }, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  session: SessionLike;
}

/** The frame that sent an IPC message. */
export interface FrameLike {
  readonly url: string;
}

/** What ipcMain.handle gives a handler. */
export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

/** The part of ipcMain main uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** A session's request hooks. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders: Record<string, string[]> }) => void) => void): void;
  };
  protocol: {
    handle(scheme: string, handler: (request: { url: string }) => Promise<Response> | Response): void;
  };
}

/** A window. */
export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'closed', listener: () => void): void;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
}

/** Options of a BrowserWindow (the subset main sets). */
export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  icon?: string;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    experimentalFeatures: false;
    webviewTag: false;
    spellcheck: boolean;
    disableBlinkFeatures: string;
  };
}

/** The `electron` module as main uses it. */
export interface ElectronModule {
  app: {
    whenReady(): Promise<void>;
    getPath(name: 'userData'): string;
    setPath(name: 'userData', path: string): void;
    getVersion(): string;
    requestSingleInstanceLock(): boolean;
    quit(): void;
    exit(code: number): void;
    on(event: 'second-instance' | 'window-all-closed' | 'activate', listener: () => void): void;
    on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
    enableSandbox(): void;
  };
  BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  safeStorage: import('../connections/secret-cipher.ts').SafeStorageLike;
  dialog: {
    showSaveDialog(window: BrowserWindowLike | undefined, options: { defaultPath: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<{ canceled: boolean; filePath?: string }>;
  };
  shell: { openExternal(url: string): Promise<void> };
  protocol: {
    registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void;
  };
  session: { defaultSession: SessionLike };
  net: { fetch(url: string): Promise<Response> };
}
