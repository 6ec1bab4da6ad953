/** The widget's words in English and Simplified Chinese (from `lang`, the page or the browser). */
import type { HearthWidgetLang } from './hearth-widget';

const en = {
  launcher: 'Chat with the assistant',
  title: 'Assistant',
  placeholder: 'Ask a question…',
  send: 'Send',
  stop: 'Stop',
  newChat: 'New chat',
  close: 'Close',
  copy: 'Copy',
  copied: 'Copied',
  you: 'You',
  assistant: 'Assistant',
  loading: 'Loading…',
  empty: 'Ask anything. Answers come from a private model.',
  onServer: 'Answered by your organisation’s server.',
  inBrowser: 'Runs in your browser: what you type stays on this device.',
  firstDownload: 'The first answer downloads the model ({size}) to this browser, once.',
  downloading: 'Downloading the model to this browser… {done} of {total}',
  starting: 'Starting the model in this browser…',
  noBrowserEngine: 'This assistant cannot run in your browser:',
  engineRefused: 'its widget key does not allow it.',
  engineNotOffered: 'the server offers no copy of this model for browsers.',
  engineDoesNotFit: 'the model is too large for this device.',
  engineNoStorage:
    'this browser keeps no storage for assistants embedded from another site (for example in a private window).',
  stopped: '(stopped)',
  unreachable: 'The assistant’s server cannot be reached. Try again later.',
  revoked: 'This assistant has been switched off by an administrator (its widget key was revoked).',
  unknown: 'This assistant is not set up correctly: the server does not know its widget key.',
  origin:
    'This page is not allowed to use the assistant. An administrator must add this site to the widget key.',
  off: 'The assistant’s server does not accept widget keys (sign-in is off there).',
  signin: 'Sign in to your organisation’s Hearth portal to use this assistant, then come back.',
  signInLink: 'Sign in',
  rateLimited: 'Too many questions in a short time. Wait a moment, then try again.',
  failed: 'The assistant could not answer:',
  loadFailed: 'The chat could not be loaded from the assistant’s server.'
};

export type Labels = typeof en;

const zhCN: Labels = {
  launcher: '与助手对话',
  title: '助手',
  placeholder: '请输入问题…',
  send: '发送',
  stop: '停止',
  newChat: '新对话',
  close: '关闭',
  copy: '复制',
  copied: '已复制',
  you: '你',
  assistant: '助手',
  loading: '加载中…',
  empty: '尽管提问。回答来自私有模型。',
  onServer: '由贵单位的服务器回答。',
  inBrowser: '在你的浏览器中运行：你输入的内容不会离开本设备。',
  firstDownload: '第一次回答会把模型（{size}）下载到本浏览器，只需一次。',
  downloading: '正在把模型下载到本浏览器… {done} / {total}',
  starting: '正在本浏览器中启动模型…',
  noBrowserEngine: '此助手无法在你的浏览器中运行：',
  engineRefused: '其小组件密钥不允许这样做。',
  engineNotOffered: '服务器没有为浏览器提供此模型的副本。',
  engineDoesNotFit: '模型对本设备来说太大。',
  engineNoStorage: '本浏览器不为从其他站点嵌入的助手保留存储（例如在无痕窗口中）。',
  stopped: '（已停止）',
  unreachable: '无法连接助手的服务器，请稍后再试。',
  revoked: '管理员已停用此助手（其小组件密钥已被吊销）。',
  unknown: '此助手配置有误：服务器不认识它的小组件密钥。',
  origin: '此页面无权使用助手。请管理员把本站点加入小组件密钥。',
  off: '助手的服务器不接受小组件密钥（该服务器未开启登录）。',
  signin: '请先登录贵单位的 Hearth 门户，再回来使用此助手。',
  signInLink: '登录',
  rateLimited: '短时间内提问过多，请稍候再试。',
  failed: '助手无法回答：',
  loadFailed: '无法从助手的服务器加载聊天界面。'
};

export function pickLang(requested: string | null | undefined): HearthWidgetLang {
  const tag = requested || document.documentElement.lang || navigator.language || 'en';
  return tag.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function labelsFor(lang: HearthWidgetLang): Labels {
  return lang === 'zh-CN' ? zhCN : en;
}
