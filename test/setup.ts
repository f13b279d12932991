// Loaded before every test file: the polyfill libp2p's dependencies need on Node 20.
import { installPolyfills } from '../src/polyfill.js'

installPolyfills()
