// Whether panes use colours (off with NO_COLOR or on a terminal without colours).
import { createContext } from 'react'

export const ColorContext = createContext(true)
