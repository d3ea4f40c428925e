// Ctrl+Z undoes and Ctrl+Y (or Ctrl+Shift+Z) redoes the designer's last change wherever the focus is on the page — the
// canvas, a toolbar button, a tab — except while typing in a field, where the field's own undo is what a person means.
export function listenForUndo(page) {
    const typing = target => target instanceof HTMLElement
        && (target.isContentEditable || target.closest('input, textarea, select, [contenteditable="true"]') !== null);
    const handler = event => {
        if (!(event.ctrlKey || event.metaKey) || event.altKey || typing(event.target)) return;
        const key = event.key.toLowerCase();
        const redo = key === 'y' || (key === 'z' && event.shiftKey);
        if (key !== 'z' && !redo) return;
        event.preventDefault();
        page.invokeMethodAsync(redo ? 'Redo' : 'Undo');
    };
    document.addEventListener('keydown', handler);
    return { stop: () => document.removeEventListener('keydown', handler) };
}
