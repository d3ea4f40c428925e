// Monaco for the designer's expressions, from BlazorMonaco's static web assets: loaded on the first code editor shown,
// not on every page (it is megabytes), and never from another site (the pages run offline, under a script policy of
// 'self'). Completion lists what the workflow can name; the server sends each editor's list (ExpressionCompletions).

const root = '_content/BlazorMonaco';
let loading;

/** Resolves true once `monaco` and BlazorMonaco's interop are there, false when they cannot load (the textarea stays). */
export function load(timeoutMs) {
    if (window.monaco?.editor && window.blazorMonaco?.editor) return Promise.resolve(true);
    loading ??= Promise.race([
        (async () => {
            await script(`${root}/jsInterop.js`); // also tells the AMD loader where Monaco is
            await script(`${root}/lib/monaco-editor/min/vs/loader.js`);
            await new Promise((resolve, reject) => window.require(['vs/editor/editor.main'], resolve, reject));
            registerCompletion();
            return true;
        })(),
        new Promise(resolve => setTimeout(() => resolve(false), timeoutMs)),
    ]).catch(() => false).then(ok => {
        if (!ok) loading = undefined;
        return ok;
    });
    return loading;
}

function script(src) {
    return new Promise((resolve, reject) => {
        const element = document.createElement('script');
        element.src = src;
        element.onload = resolve;
        element.onerror = () => reject(new Error(`${src} did not load`));
        document.head.appendChild(element);
    });
}

const entries = new Map();

/**
 * Copies the editor's text to the input it stands for when the editor loses the focus, as a change event, so that
 * the input's own handler saves it (the same moment a textarea's change comes: before a click elsewhere is handled).
 */
export function bind(editorId, textarea, completions) {
    entries.set(editorId, completions);
    const holder = window.blazorMonaco.editors.find(e => e.id === editorId);
    if (!holder) return;
    holder.editor.onDidBlurEditorText(() => {
        const value = holder.editor.getValue();
        if (textarea.value === value) return;
        textarea.value = value;
        textarea.dispatchEvent(new Event('change', { bubbles: true }));
    });
}

/** The names the workflow has now (a variable added since the editor opened). */
export function complete(editorId, completions) {
    entries.set(editorId, completions);
}

export function forget(editorId) {
    entries.delete(editorId);
}

function registerCompletion() {
    // Scripts run in Jint, not in a browser: the language service offers the language's own library, not the DOM's.
    monaco.languages.typescript.javascriptDefaults.setCompilerOptions({
        target: monaco.languages.typescript.ScriptTarget.ES2020,
        lib: ['es2020'],
        allowNonTsExtensions: true,
        allowJs: true,
    });
    const kinds = {
        variable: monaco.languages.CompletionItemKind.Variable,
        input: monaco.languages.CompletionItemKind.Field,
        output: monaco.languages.CompletionItemKind.Property,
        function: monaco.languages.CompletionItemKind.Function,
        filter: monaco.languages.CompletionItemKind.Method,
    };
    for (const language of ['javascript', 'liquid']) {
        monaco.languages.registerCompletionItemProvider(language, {
            triggerCharacters: ['.'],
            provideCompletionItems(model, position) {
                const holder = window.blazorMonaco.editors.find(e => e.editor.getModel() === model);
                const list = (holder && entries.get(holder.id)) || [];
                // The dotted name before the cursor is replaced whole: "Outputs.Co" becomes "Outputs.Collect.Results", and
                // 'Outputs["整改' (a name Liquid reads only as an index) becomes 'Outputs["整改报告"].Organizations'.
                const before = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
                const typed = /(?:[\w$.]|\["[^"\]]*(?:"\]?)?)*$/u.exec(before)[0];
                const range = new monaco.Range(position.lineNumber, position.column - typed.length, position.lineNumber, position.column);
                return {
                    suggestions: list.map(entry => ({
                        label: entry.label,
                        kind: kinds[entry.kind] ?? monaco.languages.CompletionItemKind.Text,
                        insertText: entry.insertText,
                        detail: entry.detail,
                        range,
                    })),
                };
            },
        });
    }
}
