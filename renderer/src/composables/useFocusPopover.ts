/**
 * A click popover a keyboard can use: opening moves focus to its first control, Escape closes it and puts focus
 * back on what opened it. Bind `show` / `update:show` on NPopover and `ref="body"` plus `@keydown` on its content.
 */
import { nextTick, ref } from 'vue'

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex="-1"])'

export function useFocusPopover() {
  const show = ref(false)
  const body = ref<HTMLElement | null>(null)
  let opener: HTMLElement | null = null

  async function setShow(v: boolean) {
    if (v === show.value) return
    if (v) opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    show.value = v
    if (v) {
      await nextTick()
      // The content mounts with the popover (teleported to the body, after its transition starts).
      for (let i = 0; i < 10 && !body.value; i++) await new Promise((r) => requestAnimationFrame(r))
      const first = body.value?.querySelector<HTMLElement>(FOCUSABLE) ?? body.value
      first?.focus()
    }
  }

  function onKeydown(e: KeyboardEvent) {
    if (e.key !== 'Escape') return
    e.stopPropagation()
    void setShow(false)
    opener?.focus()
  }

  return { show, body, setShow, onKeydown }
}
