// The two pages the edge serves itself: the landing page on the bare domain and a placeholder dashboard.

export function landingPage(baseDomain: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>myintell.ai — your superfriends</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>myintell.ai</h1>
<p>Your superfriends: persistent AI agents that sleep for free and wake when you talk to them.</p>
<p><a href="//app.${baseDomain}/">Open the dashboard</a></p></main></body></html>`
}

export function placeholderAppPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>myintell.ai dashboard</title></head>
<body><main><h1>Dashboard</h1><p>The dashboard is on its way.</p></main></body></html>`
}
