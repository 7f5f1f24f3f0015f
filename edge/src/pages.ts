// The one page the edge writes itself: the landing page on the bare domain (the dashboard is a build: ASSETS).

export function landingPage(baseDomain: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>myintell.ai — your superfriends</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>myintell.ai</h1>
<p>Your superfriends: persistent AI agents that sleep for free and wake when you talk to them.</p>
<p><a href="//app.${baseDomain}/">Open the dashboard</a></p></main></body></html>`
}
