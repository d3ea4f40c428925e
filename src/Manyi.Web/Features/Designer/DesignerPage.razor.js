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

// Which of the designer's side panels this person folded away (kept in this browser under their key).
export function folded(key) {
    const stored = JSON.parse(localStorage.getItem(key + '.folded') || '{}');
    return { palette: stored.palette === true, side: stored.side === true };
}

export function fold(key, palette, side) {
    localStorage.setItem(key + '.folded', JSON.stringify({ palette, side }));
}

// The splitter left of the properties panel: dragging it (or the arrow keys on it) sets the panel's width, kept in the
// browser for the next visit. The width lives in a CSS variable of the layout, so Blazor's renders leave it alone.
export function resizable(layout, key) {
    const splitter = layout.querySelector('.dp-splitter');
    const widthKey = key + '.sideWidth';
    const clamp = width => Math.round(Math.min(Math.max(width, 280), Math.max(280, layout.clientWidth * 0.6)));
    const set = (width, keep) => {
        const value = clamp(width);
        layout.style.setProperty('--dp-side-width', value + 'px');
        splitter.setAttribute('aria-valuenow', String(value));
        if (keep) localStorage.setItem(widthKey, String(value));
    };
    const side = () => layout.querySelector('.dp-side').getBoundingClientRect();
    splitter.setAttribute('aria-valuemin', '280');
    splitter.setAttribute('aria-valuemax', String(Math.round(Math.max(280, layout.clientWidth * 0.6))));
    const stored = Number(localStorage.getItem(widthKey));
    if (stored > 0) set(stored, false);
    else splitter.setAttribute('aria-valuenow', String(Math.round(side().width)));
    let dragging = false;
    const down = event => {
        if (event.button !== 0) return;
        dragging = true;
        splitter.setPointerCapture(event.pointerId);
        event.preventDefault();
    };
    const move = event => { if (dragging) set(side().right - event.clientX, false); };
    const up = () => {
        if (!dragging) return;
        dragging = false;
        set(side().width, true);
    };
    const onKey = event => {
        const step = event.shiftKey ? 80 : 20;
        if (event.key === 'ArrowLeft') set(side().width + step, true);
        else if (event.key === 'ArrowRight') set(side().width - step, true);
        else return;
        event.preventDefault();
    };
    splitter.addEventListener('pointerdown', down);
    splitter.addEventListener('pointermove', move);
    splitter.addEventListener('pointerup', up);
    splitter.addEventListener('keydown', onKey);
    return {
        stop: () => {
            splitter.removeEventListener('pointerdown', down);
            splitter.removeEventListener('pointermove', move);
            splitter.removeEventListener('pointerup', up);
            splitter.removeEventListener('keydown', onKey);
        },
    };
}
