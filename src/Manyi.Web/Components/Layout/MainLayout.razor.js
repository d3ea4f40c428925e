// The window's width in CSS pixels: the layout folds the menu away on a wide page (the designer) below 1600 px.
export function width() {
    return window.innerWidth;
}
