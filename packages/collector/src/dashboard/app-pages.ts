/** The paths of the dashboard's pages: the server answers each with the app, which reads its state from the URL. */
export const APP_PAGES = ['/', '/overview', '/breakdowns', '/detail', '/calls', '/quality', '/credits'] as const;

export type AppPage = (typeof APP_PAGES)[number];
