/** Entry of renderer/gpu-trainer.html: the browser training worker waits for its MessagePort. */
import { startPage } from './gpu-trainer.ts'

startPage()
