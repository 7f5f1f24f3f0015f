// Entry of the dashboard at app.<base>: mounts the app into #root.
// Everything it shows comes from the public /v1 API and the superfriends' own subdomains.
import { render } from 'preact'
import { App } from './app.tsx'
import './styles.css'

render(<App />, document.getElementById('root')!)
