// The canvas's place on the screen, to turn a drop's or a zoom's client coordinates into canvas coordinates.
export function rect(element) {
    const r = element.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
}
